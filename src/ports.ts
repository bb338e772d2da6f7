// The ports through which protocol, connection-layer and logic-layer code reach the outside world.
// The simulator and the real runtime each implement them; the state machines never touch
// sockets, real timers, Date.now or Math.random themselves (design.md §2).

/** Virtual or monotonic time, in integer microseconds. */
export interface Clock {
  now(): number;
}

export type TimerId = number;

/** One-shot timers. The simulator backs them with kernel events, the real runtime with setTimeout. */
export interface Timers {
  setTimer(delayUs: number, fn: () => void): TimerId;
  clearTimer(id: TimerId): void;
}

export type Scheduler = Clock & Timers;

/** A source of uniform numbers in [0, 1); seeded streams in the simulator. */
export interface Random {
  next(): number;
}

export const US_PER_MS = 1000;
export const US_PER_S = 1_000_000;
export const ms = (n: number): number => Math.round(n * US_PER_MS);
export const sec = (n: number): number => Math.round(n * US_PER_S);
