/**
 * The logic layer as a queueing system: requests from the connection layer arrive as a Poisson stream into
 * the async queue (FIFO, optionally bounded), and c workers take them one at a time. This is M/M/c when the
 * service time is exponential, M/D/c or M/G/c with the other distributions, and M/M/c/c (Erlang B loss)
 * with queueLimit 0.
 *
 * The deck's monitoring names (design.md §7) map onto it: `cmd` = requests arriving per interval, `cmdq` =
 * the backlog waiting in the queue, `htime` = requests that waited longer than the timeout T. With
 * onTimeout 'count' such a request is still served (its reply is late: the client has given up); with
 * 'drop' it leaves the queue when its wait reaches T, unserved (reneging with deterministic patience).
 *
 * Built for speed: one handler per worker and one for arrivals, made once (no closure per request); the
 * backlog is a ring of arrival times in a Float64Array; worker state in typed arrays. Two kernel events per
 * request. Because the queue is FIFO and every request has the same patience T, requests leave the queue
 * (to a worker, or by timing out) in the order they entered, so timeouts are applied lazily at the next
 * event, at their exact time, without a timer each.
 *
 * Little's law is checked in every run, as the identity it is: the time integral of the number waiting
 * (in service) equals the sum of every measured request's wait (service) plus the parts that fall in the
 * window for requests that arrived before it (warm-up) or had not finished at its end. A mismatch is a
 * bookkeeping bug and throws. The reported L vs λW then differs only by those end effects.
 */
import { Kernel } from '../kernel';
import { Fifo, Meter, ServiceStreams, US, Workers, checkQueueLimit, checkWorkers, late, littleCheck, type LittleCheck } from './core';
import { checkService, type ServiceTime } from './service';

export type { LittleCheck } from './core';

export interface WorkerPoolOptions {
  /** Poisson arrival rate λ, requests per second. */
  arrivalRate: number;
  /** Number of workers c. */
  workers: number;
  service: ServiceTime;
  /** Requests generated in all (warm-up included); then arrivals stop and the pool drains. */
  customers: number;
  /** The first `warmup` arrivals are not measured (the pool starts empty). Default 0. */
  warmup?: number;
  /** Most requests that may wait (not counting those in service); Infinity (default) = unbounded. 0 = M/M/c/c. */
  queueLimit?: number;
  /** Timeout T in seconds: requests waiting longer count as `htime`. */
  timeout?: number;
  /** 'count' (default): a timed-out request is still served; 'drop': it leaves the queue at T, unserved. */
  onTimeout?: 'count' | 'drop';
  /** Record a monitoring series (cmd, cmdq, htime, busy) every this many seconds. */
  sampleEvery?: number;
  /** Keep every measured wait, for percentiles. Costs 8 bytes per request. */
  recordWaits?: boolean;
  /** Prefix of the pool's random streams (`<name>/arrivals`, `<name>/service`). Default 'queueing'. */
  name?: string;
}

/** One row per sampling interval, in the deck's monitoring terms. */
export interface PoolSeries {
  /** End of each interval, seconds. */
  t: number[];
  /** Requests arrived during the interval. */
  cmd: number[];
  /** Backlog (requests waiting) at the end of the interval. */
  cmdq: number[];
  /** Requests that timed out during the interval (count mode: started after waiting > T; drop mode: dropped). */
  htime: number[];
  /** Requests refused because the queue was full, during the interval. */
  blocked: number[];
  /** Busy workers at the end of the interval. */
  busy: number[];
}

export interface PoolStats {
  /** Measured arrivals (after warm-up). */
  arrivals: number;
  /** Admitted to the queue (not blocked). */
  admitted: number;
  blocked: number;
  /** Fraction of measured arrivals refused (compare with Erlang B when queueLimit = 0). */
  blockingRate: number;
  served: number;
  /** Requests that waited longer than the timeout (htime). */
  timedOut: number;
  /** Of those, dropped unserved (onTimeout 'drop'). */
  dropped: number;
  /** Mean wait in the queue of served requests, seconds. */
  meanWait: number;
  /** Standard deviation of the wait of served requests, seconds. */
  sdWait: number;
  maxWait: number;
  /** Fraction of served requests that waited at all (compare with Erlang C). */
  pWait: number;
  /** Mean time in the system (wait + service) of served requests, seconds. */
  meanSojourn: number;
  /** Time-averaged number waiting (cmdq). */
  Lq: number;
  /** Time-averaged number in the system. */
  L: number;
  /** Time-averaged fraction of busy workers. */
  utilisation: number;
  /** Measurement window, seconds. */
  window: number;
  /** Served per second over the window. */
  throughput: number;
  little: { queue: LittleCheck; system: LittleCheck };
  /** Wait quantiles in seconds (only with recordWaits). */
  waitQuantiles?: { p50: number; p90: number; p99: number; p999: number };
  /** Every measured wait in seconds, in service-start order (only with recordWaits). */
  waits?: Float64Array;
  series?: PoolSeries;
  /** Whether every request has left (arrivals over, queue empty, workers idle). */
  drained: boolean;
  /** Virtual time at the end, seconds. */
  endTime: number;
}

function checkOptions(o: WorkerPoolOptions): void {
  const bad = (msg: string): never => {
    throw new RangeError(`worker pool: ${msg}`);
  };
  if (!(o.arrivalRate > 0) || !Number.isFinite(o.arrivalRate)) bad(`arrivalRate must be > 0 per second, got ${o.arrivalRate}`);
  checkWorkers(o.workers, bad);
  if (!Number.isSafeInteger(o.customers) || o.customers < 1) bad(`customers must be an integer >= 1, got ${o.customers}`);
  const w = o.warmup ?? 0;
  if (!Number.isSafeInteger(w) || w < 0 || w >= o.customers) bad(`warmup must be an integer in [0, customers), got ${w}`);
  checkQueueLimit(o.queueLimit ?? Infinity, bad);
  if (o.timeout !== undefined && !(o.timeout > 0 && Number.isFinite(o.timeout))) bad(`timeout must be > 0 seconds, got ${o.timeout}`);
  if (o.onTimeout !== undefined && o.onTimeout !== 'count' && o.onTimeout !== 'drop') bad(`onTimeout must be 'count' or 'drop', got '${o.onTimeout}'`);
  if (o.onTimeout === 'drop' && o.timeout === undefined) bad(`onTimeout 'drop' needs a timeout`);
  if (o.sampleEvery !== undefined && !(o.sampleEvery > 0 && Number.isFinite(o.sampleEvery))) bad(`sampleEvery must be > 0 seconds, got ${o.sampleEvery}`);
  checkService(o.service);
}

/**
 * The M/M/c(/K) experiment on the queueing core (core.ts): Poisson arrivals into the bounded FIFO of arrival
 * times, c workers, the timeout (counted, or dropping at T), warm-up, and the meter's identity asserted in
 * result().
 */
export class WorkerPool {
  private readonly k: Kernel;
  private readonly n: number;
  private readonly warmup: number;
  private readonly timeoutUs: number;
  private readonly drop: boolean;
  private readonly meanGapUs: number;
  private readonly drawService: () => number;
  private readonly arrivalRng;
  private readonly sampleUs: number;

  /** Backlog: arrival times of the requests waiting. */
  private readonly queue: Fifo;
  private readonly workers: Workers;
  private readonly wArr: Float64Array;
  private readonly wStart: Float64Array;
  private readonly wWarm: Uint8Array;
  private readonly wBusy: Uint8Array;
  private readonly departs: (() => void)[];
  private readonly meter = new Meter(false);

  // Counters (all arrivals, then the measured ones).
  private arrived = 0;
  private admittedAll = 0;
  /** Admitted requests that have left the queue (to a worker or by timing out): FIFO index of the next. */
  private leftQueue = 0;
  /** Admitted requests with index below this arrived during warm-up. */
  private warmAdmitted = Infinity;

  private mArrivals = 0;
  private mAdmitted = 0;
  private mBlocked = 0;
  private mServed = 0;
  private mTimedOut = 0;
  private mDropped = 0;
  private mWaited = 0;
  private sumWait = 0;
  private sumWait2 = 0;
  private maxWait = 0;
  private sumSojourn = 0;
  private readonly waits: Float64Array | null;
  private nWaits = 0;

  // Series (cumulative counters at the last sample, to take differences).
  private readonly series: PoolSeries | null;
  private sArr = 0;
  private sTimedOut = 0;
  private sBlocked = 0;
  private timedOutAll = 0;
  private blockedAll = 0;
  private started = false;

  constructor(kernel: Kernel, opts: WorkerPoolOptions) {
    checkOptions(opts);
    this.k = kernel;
    const c = opts.workers;
    this.n = opts.customers;
    this.warmup = opts.warmup ?? 0;
    this.timeoutUs = opts.timeout === undefined ? Infinity : Math.round(opts.timeout * US);
    this.drop = opts.onTimeout === 'drop';
    this.meanGapUs = US / opts.arrivalRate;
    const name = opts.name ?? 'queueing';
    this.arrivalRng = kernel.rng(`${name}/arrivals`);
    this.drawService = new ServiceStreams({ service: opts.service }, (s) => kernel.rng(s), name).get('service');
    this.sampleUs = opts.sampleEvery === undefined ? 0 : Math.max(1, Math.round(opts.sampleEvery * US));

    this.queue = new Fifo(opts.queueLimit ?? Infinity);
    this.workers = new Workers(c);
    this.wArr = new Float64Array(c);
    this.wStart = new Float64Array(c);
    this.wWarm = new Uint8Array(c);
    this.wBusy = new Uint8Array(c);
    this.departs = [];
    for (let i = 0; i < c; i++) this.departs.push(() => this.depart(i));
    this.waits = opts.recordWaits ? new Float64Array(this.n - this.warmup) : null;
    this.series = this.sampleUs > 0 ? { t: [], cmd: [], cmdq: [], htime: [], blocked: [], busy: [] } : null;
  }

  /** Schedules the first arrival (and the first sample). Call once, then run the kernel. */
  start(): void {
    if (this.started) throw new Error('worker pool already started');
    this.started = true;
    this.k.schedule(this.gap(), this.arrive);
    if (this.sampleUs > 0) this.k.schedule(this.sampleUs, this.sample);
  }

  /** Requests waiting now (cmdq). */
  get backlog(): number {
    this.expire(this.k.now);
    return this.queue.length;
  }

  get busyWorkers(): number {
    return this.workers.busy;
  }

  get drained(): boolean {
    return this.arrived === this.n && this.workers.busy === 0 && this.queue.length === 0;
  }

  private gap(): number {
    return Math.round(this.arrivalRng.exp(this.meanGapUs));
  }

  /** Integrates the queue and busy counts up to t. */
  private advance(t: number): void {
    this.meter.advance(t, this.queue.length, this.workers.busy);
  }

  /** Drop mode: removes, at their exact times, the head requests whose wait exceeded T before t. */
  private expire(t: number): void {
    if (!this.drop) return;
    const T = this.timeoutUs;
    const queue = this.queue;
    while (queue.length > 0) {
      const arr = queue.peek();
      const deadline = arr + T;
      if (!late(t - arr, T)) return; // waiting exactly T still gets served at t
      this.advance(deadline);
      queue.shift();
      this.timedOutAll++;
      const idx = this.leftQueue++;
      if (idx >= this.warmAdmitted) {
        this.mTimedOut++;
        this.mDropped++;
        this.meter.leftQueue(T); // sojourn statistics are of served requests; a dropped one spent T in the queue
      } else {
        this.meter.carriedQueue += this.meter.inWindow(arr, deadline);
      }
    }
  }

  private readonly arrive = (): void => {
    const t = this.k.now;
    this.expire(t);
    this.meter.advance(t, this.queue.length, this.workers.busy);
    const i = this.arrived++;
    if (i === this.warmup) {
      this.meter.start(t);
      this.warmAdmitted = this.admittedAll;
    }
    const measured = i >= this.warmup;
    if (measured) this.mArrivals++;
    if (this.workers.free > 0) {
      this.admittedAll++;
      if (measured) this.mAdmitted++;
      this.startService(this.workers.take(), t, t);
    } else if (!this.queue.full) {
      this.admittedAll++;
      if (measured) this.mAdmitted++;
      this.queue.push(t);
    } else {
      this.blockedAll++;
      if (measured) this.mBlocked++;
    }
    if (this.arrived < this.n) this.k.schedule(this.gap(), this.arrive);
  };

  /** Request (arrived at `arr`) leaves the queue at `now` and starts on worker w. */
  private startService(w: number, arr: number, now: number): void {
    const idx = this.leftQueue++;
    const wait = now - arr;
    const warm = idx < this.warmAdmitted;
    this.wArr[w] = arr;
    this.wStart[w] = now;
    this.wWarm[w] = warm ? 1 : 0;
    this.wBusy[w] = 1;
    const isLate = late(wait, this.timeoutUs);
    if (isLate) this.timedOutAll++; // count mode only: drop mode expired these already
    if (!warm) {
      this.meter.leftQueue(wait);
      if (isLate) this.mTimedOut++;
      if (wait > 0) this.mWaited++;
      if (wait > this.maxWait) this.maxWait = wait;
      this.sumWait += wait;
      this.sumWait2 += wait * wait;
      if (this.waits !== null) this.waits[this.nWaits++] = wait;
    } else {
      this.meter.carriedQueue += this.meter.inWindow(arr, now);
    }
    this.k.schedule(this.drawService(), this.departs[w]);
  }

  private depart(w: number): void {
    const t = this.k.now;
    this.expire(t);
    this.meter.advance(t, this.queue.length, this.workers.busy);
    this.wBusy[w] = 0;
    const arr = this.wArr[w];
    const start = this.wStart[w];
    if (this.wWarm[w] === 0) {
      this.mServed++;
      this.sumSojourn += t - arr;
      this.meter.leftService(t - start);
    } else {
      this.meter.carriedBusy += this.meter.inWindow(start, t);
    }
    if (this.queue.length > 0) {
      this.startService(w, this.queue.shift(), t);
    } else {
      this.workers.give(w);
    }
  }

  private readonly sample = (): void => {
    const t = this.k.now;
    this.expire(t);
    const s = this.series!;
    s.t.push(t / US);
    s.cmd.push(this.arrived - this.sArr);
    s.cmdq.push(this.queue.length);
    s.htime.push(this.timedOutAll - this.sTimedOut);
    s.blocked.push(this.blockedAll - this.sBlocked);
    s.busy.push(this.workers.busy);
    this.sArr = this.arrived;
    this.sTimedOut = this.timedOutAll;
    this.sBlocked = this.blockedAll;
    if (!this.drained) this.k.schedule(this.sampleUs, this.sample);
  };

  /** Statistics so far (normally called once the kernel has run dry). Asserts the Little identity. */
  result(): PoolStats {
    const now = this.k.now;
    this.expire(now);
    this.advance(now);
    const m = this.meter;
    // Requests still inside at the end: their time so far in the window closes the identity.
    let openQ = 0;
    let openB = 0;
    for (let i = 0; i < this.queue.length; i++) openQ += m.inWindow(this.queue.at(i), now);
    for (let w = 0; w < this.workers.c; w++) if (this.wBusy[w] === 1) openB += m.inWindow(this.wStart[w], now);
    m.check('worker pool', openQ, openB);

    const win = m.window(now);
    const served = this.mServed;
    const mean = (x: number, n: number) => (n > 0 ? x / n : 0);
    const meanWaitUs = mean(this.sumWait, served);
    const varWait = served > 1 ? Math.max(0, (this.sumWait2 - served * meanWaitUs * meanWaitUs) / (served - 1)) : 0;
    // λ = admitted / window and W = (their total time) / admitted, so λW = total time / window.
    const little = (area: number, sumTime: number): LittleCheck => littleCheck(win > 0 ? area / win : 0, win > 0 ? sumTime / win : 0);
    const stats: PoolStats = {
      arrivals: this.mArrivals,
      admitted: this.mAdmitted,
      blocked: this.mBlocked,
      blockingRate: mean(this.mBlocked, this.mArrivals),
      served,
      timedOut: this.mTimedOut,
      dropped: this.mDropped,
      meanWait: meanWaitUs / US,
      sdWait: Math.sqrt(varWait) / US,
      maxWait: this.maxWait / US,
      pWait: mean(this.mWaited, served),
      meanSojourn: mean(this.sumSojourn, served) / US,
      Lq: m.Lq(win),
      L: win > 0 ? (m.queueArea + m.busyArea) / win : 0,
      utilisation: m.utilisation(win, this.workers.c),
      window: win / US,
      throughput: win > 0 ? (served * US) / win : 0,
      little: {
        queue: little(m.queueArea, m.queueTime),
        system: little(m.queueArea + m.busyArea, m.queueTime + m.serviceTime),
      },
      drained: this.drained,
      endTime: now / US,
    };
    if (this.waits !== null) {
      const waits = this.waits.subarray(0, this.nWaits).map((w) => w / US);
      const sorted = Float64Array.from(waits).sort();
      const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
      stats.waits = waits;
      stats.waitQuantiles = { p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999) };
    }
    if (this.series !== null) stats.series = this.series;
    return stats;
  }
}

/** Runs one pool alone on a fresh kernel until every request has left; adds the kernel's event count. */
export function runWorkerPool(opts: WorkerPoolOptions & { seed?: string | number }): PoolStats & { events: number } {
  const k = new Kernel({ seed: opts.seed ?? 1 });
  const pool = new WorkerPool(k, opts);
  pool.start();
  k.run();
  return { ...pool.result(), events: k.executed };
}
