// The link model's clock (LinkClock) on real time, for the chaos proxy.
//
// The link model chains many short waits: a segment is serialised in 300 µs at 40 Mbit/s, the next
// one starts when it is done, and so on. Real timers fire late (setTimeout has millisecond
// resolution and the event loop is busy), so a clock that read the wall time at each firing would
// add that lateness to every link of the chain, and a 40 Mbit/s link would run at a fraction of its
// rate. This clock keeps the schedule instead: every event has a due time (µs since the clock
// started), events run in (due time, insertion) order -- the simulator kernel's order, on the
// kernel's own event heap -- and while an event runs `now` is its due time, so what it schedules
// next is due relative to when it should have happened, not when it did. Lateness is therefore
// bounded by one timer's slack and never accumulates. Outside events (socket data) see the wall
// time, never earlier than an event already run.
import type { LinkClock } from '../../sim/network/tcp';
import { EventHeap } from '../../sim/event-heap';

export class PacedClock implements LinkClock {
  private readonly heap = new EventHeap(64);
  private readonly fns: ((() => void) | null)[] = [];
  private readonly free: number[] = [];
  private readonly origin = process.hrtime.bigint();
  private t = 0; // due time of the event running (or last run)
  private running = false;
  private stopped = false;
  private armedAt = Infinity; // due time the pending wake-up is for
  private wake: { timeout?: NodeJS.Timeout; immediate?: NodeJS.Immediate } = {};
  /** Events run so far, and the worst lateness of one (µs): how well real time kept up. */
  ran = 0;
  maxLateUs = 0;

  /** Wall time since the clock started, µs. */
  wall(): number {
    return Number((process.hrtime.bigint() - this.origin) / 1000n);
  }

  get now(): number {
    return this.running ? this.t : Math.max(this.t, this.wall());
  }

  get pending(): number {
    return this.heap.size;
  }

  schedule(delayUs: number, fn: () => void): number {
    if (this.stopped) return -1;
    const due = this.now + Math.max(0, Math.round(delayUs));
    const slot = this.free.length ? this.free.pop()! : this.fns.length;
    this.fns[slot] = fn;
    this.heap.push(due, slot);
    if (!this.running && due < this.armedAt) this.arm();
    return slot;
  }

  /** Drops every pending event and stops taking new ones (the proxy is closing). */
  stop(): void {
    this.stopped = true;
    this.disarm();
    this.heap.clear();
    this.fns.length = 0;
    this.free.length = 0;
  }

  private disarm(): void {
    if (this.wake.timeout) clearTimeout(this.wake.timeout);
    if (this.wake.immediate) clearImmediate(this.wake.immediate);
    this.wake = {};
    this.armedAt = Infinity;
  }

  private arm(): void {
    this.disarm();
    if (this.stopped || this.heap.size === 0) return;
    const due = this.heap.peekTime();
    this.armedAt = due;
    const wait = due - this.wall();
    if (wait <= 0) this.wake.immediate = setImmediate(() => this.fire());
    else this.wake.timeout = setTimeout(() => this.fire(), Math.ceil(wait / 1000));
  }

  private fire(): void {
    this.wake = {};
    this.armedAt = Infinity;
    const wall = this.wall();
    this.running = true;
    try {
      while (!this.stopped && this.heap.size > 0 && this.heap.peekTime() <= wall) {
        const due = this.heap.peekTime();
        const slot = this.heap.popSlot();
        const fn = this.fns[slot]!;
        this.fns[slot] = null;
        this.free.push(slot);
        this.t = due;
        this.ran++;
        if (wall - due > this.maxLateUs) this.maxLateUs = wall - due;
        fn();
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }
}
