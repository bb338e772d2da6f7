/**
 * The deterministic discrete-event kernel: integer virtual time in microseconds, events ordered by
 * (time, insertion sequence), one seeded random stream per component, a trace fingerprint.
 *
 * Handlers live in an array indexed by slot; slots are reused through a free list. A timer id is
 * gen * 2^26 + slot, where gen counts the reuses of that slot, so a stale id never cancels the slot's
 * next occupant. Cancel is lazy: the handler is dropped at once (pending stays exact) and the heap entry
 * is discarded when it reaches the top, or in bulk when dead entries outnumber live ones.
 */
import { EventHeap } from './event-heap';
import { makeRng, type Rng } from './rng';
import { Trace } from './trace';

export type Handler = () => void;

export interface KernelOptions {
  seed?: string | number;
  trace?: Trace;
}

export interface RunOptions {
  /** Run events with time <= until; afterwards now = until if every such event ran. */
  until?: number;
  /** Stop after this many events. */
  maxEvents?: number;
}

const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS; // 67M slots: live + not yet discarded cancelled events
/** Largest generation that keeps ids safe integers; a slot that reaches it is retired, never wrapped. */
const GEN_MAX = 2 ** (53 - SLOT_BITS) - 1;
/** Bulk-discard cancelled entries only past this many, so small heaps never pay an O(n) pass. */
const COMPACT_MIN = 1024;

export class Kernel {
  readonly seed: string;
  readonly trace: Trace;

  private t = 0;
  private ran = 0;
  private readonly heap = new EventHeap();
  /** Handler per slot; null when the slot is free, cancelled, or its event is running. */
  private readonly handlers: (Handler | null)[] = [];
  /** Generation per slot (starts at 1, so 0 is never a timer id). */
  private gens = new Int32Array(1024);
  private free = new Int32Array(1024);
  private nFree = 0;
  /** Cancelled entries still in the heap. */
  private dead = 0;
  private running = false;
  private readonly streams = new Map<string, Rng>();
  private readonly keepLive = (slot: number): boolean => {
    if (this.handlers[slot] !== null) return true;
    this.release(slot);
    return false;
  };

  constructor(opts: KernelOptions = {}) {
    this.seed = String(opts.seed ?? '0');
    this.trace = opts.trace ?? new Trace();
  }

  /** Virtual time in integer microseconds. */
  get now(): number {
    return this.t;
  }

  /** Live (not cancelled, not yet run) events. */
  get pending(): number {
    return this.heap.size - this.dead;
  }

  get executed(): number {
    return this.ran;
  }

  /** Runs fn after `delay` µs (an integer >= 0); returns a timer id for cancel(). */
  schedule(delay: number, fn: Handler): number {
    if (!(delay >= 0) || !Number.isSafeInteger(delay)) {
      throw new RangeError(`schedule: delay must be an integer >= 0 (µs), got ${delay}`);
    }
    return this.insert(this.t + delay, fn);
  }

  /** Runs fn at absolute time `time` (an integer >= now); returns a timer id. */
  at(time: number, fn: Handler): number {
    if (!(time >= this.t) || !Number.isSafeInteger(time)) {
      throw new RangeError(`at: time must be an integer >= now (${this.t}), got ${time}`);
    }
    return this.insert(time, fn);
  }

  /** True if the event was pending (now it will not run); false for unknown, run, running or cancelled ids. */
  cancel(id: number): boolean {
    const gen = Math.floor(id / SLOT_SPACE);
    const slot = id - gen * SLOT_SPACE;
    if (!(slot >= 0 && slot < this.handlers.length) || this.gens[slot] !== gen) return false;
    if (this.handlers[slot] === null) return false;
    this.handlers[slot] = null;
    this.dead++;
    if (this.dead > COMPACT_MIN && this.dead > this.heap.size - this.dead) this.compact();
    return true;
  }

  /** Runs the next event; false when none is pending. */
  step(): boolean {
    return this.run({ maxEvents: 1 }) === 1;
  }

  /** Runs events in order until none is left with time <= until, or maxEvents ran; returns how many ran. */
  run(opts: RunOptions = {}): number {
    const until = opts.until ?? Infinity;
    const maxEvents = opts.maxEvents ?? Infinity;
    if (until !== Infinity && !Number.isSafeInteger(until)) {
      throw new RangeError(`run: until must be an integer (µs) or Infinity, got ${until}`);
    }
    if (maxEvents !== Infinity && !(Number.isSafeInteger(maxEvents) && maxEvents >= 0)) {
      throw new RangeError(`run: maxEvents must be an integer >= 0 or Infinity, got ${maxEvents}`);
    }
    if (this.running) throw new Error('run/step called from inside a handler');
    this.running = true;
    const heap = this.heap;
    const handlers = this.handlers;
    let count = 0;
    try {
      while (count < maxEvents && heap.size > 0) {
        const time = heap.peekTime();
        if (time > until) break;
        const slot = heap.popSlot();
        const fn = handlers[slot];
        if (fn === null) {
          this.dead--;
          this.release(slot);
          continue;
        }
        // Free the slot before running, so a stale id cannot reach it and the handler's own schedule can reuse it.
        handlers[slot] = null;
        this.release(slot);
        this.t = time;
        this.ran++;
        count++;
        fn();
      }
      if (until !== Infinity && until > this.t && this.nextLiveTime() > until) this.t = until;
    } finally {
      this.running = false;
    }
    return count;
  }

  /** The stream named `${seed}/${stream}`; the same name returns the same object. */
  rng(stream: string): Rng {
    let r = this.streams.get(stream);
    if (r === undefined) {
      r = makeRng(`${this.seed}/${stream}`);
      this.streams.set(stream, r);
    }
    return r;
  }

  private insert(time: number, fn: Handler): number {
    if (typeof fn !== 'function') throw new TypeError('handler must be a function');
    const slot = this.nFree > 0 ? this.free[--this.nFree] : this.newSlot();
    this.handlers[slot] = fn;
    this.heap.push(time, slot);
    return this.gens[slot] * SLOT_SPACE + slot;
  }

  private newSlot(): number {
    const slot = this.handlers.length;
    if (slot >= SLOT_SPACE) throw new RangeError(`more than ${SLOT_SPACE} pending events`);
    if (slot === this.gens.length) {
      const g = new Int32Array(slot * 2);
      g.set(this.gens);
      this.gens = g;
    }
    this.gens[slot] = 1;
    this.handlers.push(null);
    return slot;
  }

  /** Invalidates ids of this slot and makes it reusable (or retires it when its generations run out). */
  private release(slot: number): void {
    const g = this.gens[slot] + 1;
    this.gens[slot] = g;
    if (g > GEN_MAX) return;
    if (this.nFree === this.free.length) {
      const f = new Int32Array(this.free.length * 2);
      f.set(this.free);
      this.free = f;
    }
    this.free[this.nFree++] = slot;
  }

  /** Time of the earliest live event (discarding cancelled ones on top); Infinity when none. */
  private nextLiveTime(): number {
    const heap = this.heap;
    while (heap.size > 0 && this.handlers[heap.peekSlot()] === null) {
      this.release(heap.popSlot());
      this.dead--;
    }
    return heap.peekTime();
  }

  private compact(): void {
    this.heap.filter(this.keepLive);
    this.dead = 0;
  }
}
