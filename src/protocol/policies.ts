// Client policies from real mobile IM clients: when to reconnect, how often to heartbeat.
//  - Phoenix (phoenix.js reconnectAfterMs): 10, 50, 100, 150, 200, 250, 500, 1000, 2000 ms, then 5 s; no jitter.
//  - Centrifugo clients: exponential 1, 2, 4, 8, 16 s ... with jitter.
//  - WeChat Mars (stn): reconnect base 15/30/120/300/600 s + rand(20) s; smart heartbeat that learns
//    the NAT timeout: 3.5-10 min, +60 s after 5 successes, -80 s after 2 failures.
import type { Random } from '../ports';

const S = 1_000_000;
const MIN = 60 * S;

export type ReconnectPolicy =
  | { kind: 'fixed'; delayUs: number }
  | { kind: 'stepped'; stepsUs: number[]; thenUs: number }
  | { kind: 'exponential'; baseUs: number; maxUs: number; jitter: number }
  | { kind: 'mars'; baseUs: number[]; jitterUs: number };

export const RECONNECT: Record<string, ReconnectPolicy> = {
  fixed: { kind: 'fixed', delayUs: 1 * S },
  phoenix: { kind: 'stepped', stepsUs: [10, 50, 100, 150, 200, 250, 500, 1000, 2000].map((ms) => ms * 1000), thenUs: 5 * S },
  exponential: { kind: 'exponential', baseUs: 1 * S, maxUs: 16 * S, jitter: 0.5 },
  mars: { kind: 'mars', baseUs: [15, 30, 120, 300, 600].map((s) => s * S), jitterUs: 20 * S },
};

/** Delay before reconnect attempt number `attempt` (0 = the first after a loss). */
export function reconnectDelay(p: ReconnectPolicy, attempt: number, rng: Random): number {
  switch (p.kind) {
    case 'fixed':
      return p.delayUs;
    case 'stepped':
      return attempt < p.stepsUs.length ? p.stepsUs[attempt] : p.thenUs;
    case 'exponential': {
      const d = Math.min(p.maxUs, p.baseUs * 2 ** attempt);
      return Math.round(d * (1 - p.jitter) + d * p.jitter * rng.next());
    }
    case 'mars':
      return p.baseUs[Math.min(attempt, p.baseUs.length - 1)] + Math.floor(rng.next() * p.jitterUs);
  }
}

/**
 * Whether an error reply to `send` says to send the message again (the server could not take it now:
 * store or logic layer away, queue full, timed out) rather than refusing it for good (wrong arguments,
 * wrong type, a reused message id). Redis's own transient codes count as "again" too.
 */
export function sendAgain(error: string): boolean {
  const code = error.split(' ', 1)[0].toUpperCase();
  return ['BUSY', 'TIMEOUT', 'TRYAGAIN', 'LOADING', 'MASTERDOWN'].includes(code) || /\b(try|send it) again\b/i.test(error);
}

export type HeartbeatPolicy =
  | { kind: 'off' }
  | { kind: 'fixed'; intervalUs: number; timeoutUs: number }
  | { kind: 'adaptive'; minUs: number; maxUs: number; upUs: number; upAfter: number; downUs: number; downAfter: number; timeoutUs: number };

export const HEARTBEAT: Record<string, HeartbeatPolicy> = {
  off: { kind: 'off' },
  'fixed-30s': { kind: 'fixed', intervalUs: 30 * S, timeoutUs: 10 * S },
  'fixed-270s': { kind: 'fixed', intervalUs: 270 * S, timeoutUs: 20 * S },
  'fixed-10min': { kind: 'fixed', intervalUs: 10 * MIN, timeoutUs: 20 * S },
  mars: { kind: 'adaptive', minUs: 3.5 * MIN, maxUs: 10 * MIN, upUs: 60 * S, upAfter: 5, downUs: 80 * S, downAfter: 2, timeoutUs: 20 * S },
};

/** What an adaptive heartbeat has learnt on one network. */
interface Learnt { interval: number; ok: number; failed: number; settled: boolean }

/**
 * Heartbeat state: a fixed interval, or Mars's learning of the longest interval the NAT allows. Mars keeps
 * what it learnt per network (each Wi-Fi, each carrier has its own NAT): useNetwork() switches to the
 * state learnt on that network, or starts afresh on a new one.
 */
export class Heartbeat {
  interval: number;
  private ok = 0;
  private failed = 0;
  /** Adaptive: once a failure has pulled the interval down, it stays put (the NAT timeout is found). */
  settled = false;
  /** The network the state above belongs to. */
  network = 'default';
  private readonly learnt = new Map<string, Learnt>();

  constructor(readonly policy: HeartbeatPolicy) {
    this.interval = this.initial();
  }

  private initial(): number {
    const p = this.policy;
    return p.kind === 'fixed' ? p.intervalUs : p.kind === 'adaptive' ? p.minUs : 0;
  }

  /** The device is now on `network`: keep what was learnt on the previous one, resume what is known of this one. */
  useNetwork(network: string): void {
    if (network === this.network) return;
    this.learnt.set(this.network, { interval: this.interval, ok: this.ok, failed: this.failed, settled: this.settled });
    const known = this.learnt.get(network);
    this.network = network;
    ({ interval: this.interval, ok: this.ok, failed: this.failed, settled: this.settled } = known ?? { interval: this.initial(), ok: 0, failed: 0, settled: false });
  }

  get enabled(): boolean {
    return this.policy.kind !== 'off';
  }

  get timeoutUs(): number {
    return this.policy.kind === 'off' ? 0 : this.policy.timeoutUs;
  }

  succeeded(): void {
    const p = this.policy;
    if (p.kind !== 'adaptive' || this.settled) return;
    this.failed = 0;
    if (++this.ok >= p.upAfter) {
      this.ok = 0;
      this.interval = Math.min(p.maxUs, this.interval + p.upUs);
    }
  }

  /** The connection died while idle between heartbeats: the interval may be beyond the NAT timeout. */
  failedIdle(): void {
    const p = this.policy;
    if (p.kind !== 'adaptive') return;
    this.ok = 0;
    if (++this.failed >= p.downAfter) {
      this.failed = 0;
      this.interval = Math.max(p.minUs, this.interval - p.downUs);
      this.settled = true;
    }
  }
}
