/**
 * The pieces every model of the logic layer's workers is built from: the pool of c workers (a stack of free
 * ones), the bounded FIFO in front of them, the timeout a request is judged by when a worker takes it, one
 * service sampler per random stream, and the meter that integrates the queue and the busy workers over time
 * and asserts the identity behind Little's law.
 *
 * Two models use them: WorkerPool (worker-pool.ts: the Poisson-driven M/M/c(/K) experiment validated against
 * Erlang C and B) and LogicModel (../logic-model.ts: the World's logic layer, which adds per-connection
 * ordering, the async-queue hop and crash/resume on top). Times are integer microseconds (the kernel's unit).
 */
import type { Rng } from '../rng';
import { serviceSampler, type ServiceTime } from './service';

/** Microseconds per second. */
export const US = 1e6;
/** Relative slack for the Little identity: sums of integers in doubles are exact; this only absorbs division. */
const IDENTITY_TOLERANCE = 1e-9;

/** Checks a queue bound: an integer >= 0, or Infinity (unbounded); 0 = no waiting room (a loss system). */
export function checkQueueLimit(limit: number, bad: (msg: string) => never, shown: unknown = limit): number {
  if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit >= 0))) bad(`queueLimit must be an integer >= 0 or Infinity, got ${shown}`);
  return limit;
}

/** Checks a worker count c: an integer >= 1. */
export function checkWorkers(c: number, bad: (msg: string) => never, shown: unknown = c): number {
  if (!Number.isSafeInteger(c) || c < 1) bad(`workers must be an integer >= 1, got ${shown}`);
  return c;
}

/**
 * The timeout T a request is judged by when it leaves the queue (the deck's htime): late if it waited longer
 * than T (waiting exactly T is in time). Infinity = no timeout.
 */
export function late(waitUs: number, timeoutUs: number): boolean {
  return waitUs > timeoutUs;
}

/** c workers; the free ones on a stack: worker 0 is taken first, and the one freed last is taken next. */
export class Workers {
  private readonly stack: Int32Array;
  private nFree: number;

  constructor(readonly c: number) {
    this.stack = new Int32Array(c);
    for (let i = 0; i < c; i++) this.stack[i] = c - 1 - i;
    this.nFree = c;
  }

  /** Workers free now. */
  get free(): number {
    return this.nFree;
  }

  /** Workers busy now. */
  get busy(): number {
    return this.c - this.nFree;
  }

  /** Takes a free worker (check `free` first). */
  take(): number {
    return this.stack[--this.nFree];
  }

  /** Gives worker w back. */
  give(w: number): void {
    this.stack[this.nFree++] = w;
  }
}

/**
 * A FIFO of numbers (arrival times, connection ids) in a ring of doubles that doubles when full; `limit` is
 * the most it may hold (the caller refuses beyond it: `full`). No allocation per item.
 */
export class Fifo {
  private ring: Float64Array;
  private mask: number;
  private head = 0;
  /** Items in the queue. */
  length = 0;

  constructor(readonly limit = Infinity) {
    const cap = 1 << Math.max(4, Math.ceil(Math.log2(Math.min(1024, limit + 1))));
    this.ring = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** True when another item would exceed the limit. */
  get full(): boolean {
    return this.length >= this.limit;
  }

  push(x: number): void {
    if (this.length === this.ring.length) this.grow();
    this.ring[(this.head + this.length) & this.mask] = x;
    this.length++;
  }

  /** The oldest item (the queue must not be empty). */
  peek(): number {
    return this.ring[this.head];
  }

  /** Takes the oldest item off (the queue must not be empty). */
  shift(): number {
    const x = this.ring[this.head];
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return x;
  }

  /** The i-th oldest item, 0 = the head. */
  at(i: number): number {
    return this.ring[(this.head + i) & this.mask];
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const old = this.ring;
    const next = new Float64Array(old.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & this.mask];
    this.ring = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

/**
 * Service samplers, one per key, each drawing from its own random stream `<prefix>/<key>` with the key's
 * spec, or from `<prefix>/default` with the `default` spec for a key without one. Made once per key.
 */
export class ServiceStreams {
  private readonly samplers = new Map<string, () => number>();

  constructor(
    private readonly specs: Record<string, ServiceTime>,
    private readonly rng: (stream: string) => Rng,
    private readonly prefix: string,
  ) {}

  /** The sampler for `key` (whole microseconds). */
  get(key: string): () => number {
    let s = this.samplers.get(key);
    if (!s) {
      const own = Object.hasOwn(this.specs, key) ? this.specs[key] : undefined; // a command named 'constructor' is a command
      s = serviceSampler(own ?? this.specs.default, this.rng(`${this.prefix}/${own ? key : 'default'}`));
      this.samplers.set(key, s);
    }
    return s;
  }
}

export interface LittleCheck {
  /** Time-averaged number (waiting, or in the system) over the measurement window. */
  L: number;
  /** Measured arrival rate (of admitted requests) times their mean time (waiting, or in the system). */
  lambdaW: number;
  /** |L − λW| / L: end effects only (the identity itself is asserted exactly). */
  relError: number;
}

/** L beside λW, with their relative difference. */
export function littleCheck(L: number, lambdaW: number): LittleCheck {
  return { L, lambdaW, relError: L > 0 ? Math.abs(L - lambdaW) / L : 0 };
}

/**
 * The meter of a queue and its workers over a measurement window (from `start(t)`; a meter made with
 * `measuring` true measures from 0). It integrates how many wait (`queueArea`) and how many are busy
 * (`busyArea`), and sums the time of every measured request that left the queue (`queueTime`, `queueLeft`)
 * or a worker (`serviceTime`, `serviceLeft`); for requests not measured (warm-up) their part inside the
 * window goes to `carriedQueue` / `carriedBusy`. check() asserts the identity behind Little's law: each
 * area equals the sum of those times plus the open ones (still inside at the end, counted to now).
 */
export class Meter {
  measuring: boolean;
  /** Start of the window, µs. */
  t0 = 0;
  private lastT = 0;
  queueArea = 0;
  busyArea = 0;
  queueTime = 0;
  queueLeft = 0;
  serviceTime = 0;
  serviceLeft = 0;
  carriedQueue = 0;
  carriedBusy = 0;

  constructor(measuring: boolean) {
    this.measuring = measuring;
  }

  /** Opens the window at t. */
  start(t: number): void {
    this.measuring = true;
    this.t0 = t;
    this.lastT = t;
  }

  /** Integrates the levels (waiting, busy) held since the last call up to t. Call before either changes. */
  advance(t: number, waiting: number, busy: number): void {
    if (this.measuring) {
      const dt = t - this.lastT;
      this.queueArea += waiting * dt;
      this.busyArea += busy * dt;
    }
    this.lastT = t;
  }

  /** A measured request left the queue after `us` in it. */
  leftQueue(us: number): void {
    this.queueTime += us;
    this.queueLeft++;
  }

  /** A measured request left its worker after `us` of service. */
  leftService(us: number): void {
    this.serviceTime += us;
    this.serviceLeft++;
  }

  /** The part of [from, to] inside the window (0 when not measuring or `to` is not after its start). */
  inWindow(from: number, to: number): number {
    return this.measuring && to > this.t0 ? to - Math.max(from, this.t0) : 0;
  }

  /** Window length up to `now`, µs (0 before it opened). */
  window(now: number): number {
    return this.measuring ? now - this.t0 : 0;
  }

  /**
   * Asserts the identity (call after advance(now)): queue area = measured queue time + carried + `openQueue`
   * (the time so far of those still waiting), and busy area = service time + carried + `openBusy`. A mismatch
   * is a bookkeeping bug: throws, naming `who`.
   */
  check(who: string, openQueue: number, openBusy: number): void {
    const qSide = this.queueTime + this.carriedQueue + openQueue;
    const bSide = this.serviceTime + this.carriedBusy + openBusy;
    const mismatch = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a));
    if (mismatch(this.queueArea, qSide) > IDENTITY_TOLERANCE || mismatch(this.busyArea, bSide) > IDENTITY_TOLERANCE) {
      throw new Error(`${who}: Little identity broken (a bookkeeping bug): queue area ${this.queueArea} vs ${qSide}, busy area ${this.busyArea} vs ${bSide}`);
    }
  }

  /** Time-averaged number waiting over a window of `win` µs. */
  Lq(win: number): number {
    return win > 0 ? this.queueArea / win : 0;
  }

  /** Time-averaged fraction of c workers busy over a window of `win` µs. */
  utilisation(win: number, c: number): number {
    return win > 0 ? this.busyArea / win / c : 0;
  }
}
