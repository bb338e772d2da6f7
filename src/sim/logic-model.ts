// The logic layer as the simulator runs it when asked to model its capacity (WorldOptions.logic):
// the async queue between the layers (a hop of `hopUs`, then a wait for a worker), a pool of c
// workers each spending a service time drawn per command before the logic layer handles the
// request, a bound on the backlog, an optional request timeout, and restarts.
//
// - Order: one connection's requests are handled in the order they were sent (a worker takes a
//   connection's next request only once its previous one is done), as the real split deployment
//   does with one batch per connection in the logic layer at a time.
// - Bound: with `queueLimit`, a command that finds the backlog (cmdq) full is refused at once with
//   an error reply (the deck's `error`); logins and closes are always admitted.
// - htime: with `timeoutUs`, a command that waited longer than that when a worker takes it is not
//   done; its client gets an error reply (the client has given up on it by then).
// - Restart: crash() stops the workers; what they held and (unless the queue is durable) what
//   waited is gone. A durable queue (Redis Stream with acknowledgements) gives back, on resume(), every
//   request taken and not answered, ahead of what waited. In-process, what it held is gone and what is
//   sent while it is down reaches nobody: the connection layer forwards all of it again once the new
//   process is up (Gateway.retryUnanswered).
// - Little's law: the time integral of the backlog equals the sum of every request's time in it, and
//   that of the busy workers the sum of every service time (asserted exactly, open ones included); L vs
//   λW is reported.
//
// Built on the queueing core (queueing/core.ts) that WorkerPool uses too: its workers, FIFO (of ready
// connections here), timeout, per-stream service samplers and meter. What is added here: per-connection
// order, the hop, refusals by error reply, and crash/resume.
import type { Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import type { Scheduler } from '../ports';
import { Fifo, Meter, ServiceStreams, Workers, checkQueueLimit, checkWorkers, late, littleCheck } from './queueing/core';
import type { ServiceTime } from './queueing/service';
import type { Rng } from './rng';

/** Commands as the logic model names them: a Up message's kind, or the command of a 'cmd'. */
export type LogicCommand = 'login' | 'closed' | 'send' | 'msg-sync' | 'msg-fin' | 'msg-recv' | string;

export interface LogicModelOptions {
  /** Logic workers (c). Default 4. */
  workers?: number;
  /**
   * Service time per command (seconds, see ServiceTime); `default` for every command not named (without
   * one, DEFAULT_LOGIC_SERVICE fills in). Defaults: DEFAULT_LOGIC_SERVICE (assumptions: a login checks a token and writes a route; a send writes the
   * store and looks up the recipient; a msg-fin only moves a number).
   */
  service?: Partial<Record<LogicCommand, ServiceTime>> & { default?: ServiceTime };
  /** Most requests in the async queue (cmdq); Infinity (default) = unbounded. */
  queueLimit?: number;
  /** Does the queue survive a logic-layer restart (Redis Stream) or die with it (in-process)? Default true. */
  durable?: boolean;
  /** A command that waited longer than this for a worker is answered with an error instead (default: never). */
  timeoutUs?: number;
  /** Store latency per operation (seconds); default: the World's fixed storeUs. */
  storeLatency?: ServiceTime;
}

export const DEFAULT_LOGIC_SERVICE: Record<string, ServiceTime> = {
  login: { dist: 'exp', mean: 0.002 },
  send: { dist: 'exp', mean: 0.001 },
  'msg-sync': { dist: 'exp', mean: 0.0008 },
  'msg-recv': { dist: 'exp', mean: 0.0004 },
  'msg-fin': { dist: 'exp', mean: 0.0002 },
  closed: { dist: 'exp', mean: 0.0002 },
  default: { dist: 'exp', mean: 0.0005 },
};

export interface LogicModelStats {
  /** Requests put in the queue (retries and redeliveries included), refused, timed out, handled. */
  admitted: number;
  refused: number;
  timedOut: number;
  handled: number;
  /** Requests in service or awaiting their reply lost in a crash (non-durable), and given back (durable). */
  lost: number;
  redelivered: number;
  restarts: number;
  /** Longest backlog seen. */
  maxBacklog: number;
  /** Per command: requests handled and their mean service time, ms. */
  perCommand: Record<string, { n: number; meanServiceMs: number }>;
  little: { L: number; lambda: number; W: number; lambdaW: number; relError: number; window: number };
  /** Time-averaged busy workers / workers. */
  utilisation: number;
}

interface Job {
  m: Up;
  /** When it entered the queue (µs). */
  t: number;
}

const keyOf = (m: Up) => m.conn;
const reqKey = (conn: number, req: number) => `${conn}:${req}`;
const commandOf = (m: Up): string => (m.k === 'cmd' ? m.args[0] : m.k);

export class LogicModel {
  readonly workers: number;
  readonly durable: boolean;
  private readonly limit: number;
  private readonly timeoutUs: number;
  private readonly hop: AsyncQueue<Job>;
  private readonly samplers: ServiceStreams;
  /** Per connection: requests that arrived from the hop and wait, in order. */
  private readonly lines = new Map<number, Job[]>();
  /** Connections with waiting requests and none in service, in the order they became ready. */
  private readonly ready = new Fifo();
  private readonly busyConn = new Set<number>();
  private readonly inService = new Map<number, { job: Job; timer: unknown; cmd: string; started: number }>(); // by worker
  private readonly free: Workers;
  /** Taken by a worker and not answered yet (cmd and login), in the order taken: a durable queue gives them back. */
  private readonly taken = new Map<string, Job>();
  private down = false;
  private waiting = 0; // requests in the lines (arrived from the hop, not in service)
  /** Little's law bookkeeping, from time 0: queue time of requests that left it (to a worker, refused later, or lost). */
  private readonly meter = new Meter(true);
  private readonly open = new Set<Job>(); // jobs in the queue (hop or lines)
  private readonly svc = new Map<string, { n: number; sum: number }>();
  /** Called right after the logic layer handled a request (a scenario may kill the process at that moment). */
  onHandled: ((m: Up) => void) | null = null;
  readonly stats = { admitted: 0, refused: 0, timedOut: 0, handled: 0, lost: 0, redelivered: 0, restarts: 0, maxBacklog: 0 };

  constructor(
    private readonly sched: Scheduler,
    rng: (name: string) => Rng,
    opts: LogicModelOptions,
    hopUs: number,
    /** Runs a request in the logic layer (at the end of its service time). */
    private readonly handle: (m: Up) => void,
    /** Refuses a command (queue full, timed out): the runtime answers it with this error text. */
    private readonly refuse: (m: Extract<Up, { k: 'cmd' }>, why: string) => void,
    /** The backlog changed (to sample cmdq). */
    private readonly onBacklog: () => void = () => {},
  ) {
    const bad = (msg: string): never => {
      throw new RangeError(`logic ${msg}`);
    };
    this.workers = checkWorkers(opts.workers ?? 4, bad, opts.workers);
    this.limit = checkQueueLimit(opts.queueLimit ?? Infinity, bad, opts.queueLimit);
    this.durable = opts.durable ?? true;
    this.timeoutUs = opts.timeoutUs ?? Infinity;
    // a `default` given applies to every command not named; otherwise the built-in table fills in
    const given = (opts.service ?? {}) as Record<string, ServiceTime>;
    this.samplers = new ServiceStreams(given.default ? { ...given } : { ...DEFAULT_LOGIC_SERVICE, ...given }, rng, 'logic/service');
    this.free = new Workers(this.workers);
    this.hop = new AsyncQueue<Job>(sched, hopUs, (job) => this.arrive(job));
  }

  /** Requests in the async queue: in the hop or waiting for a worker (the deck's cmdq). */
  get backlog(): number {
    return this.hop.length + this.waiting;
  }

  get busy(): number {
    return this.inService.size;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** A request from the connection layer. */
  offer(m: Up): void {
    if (this.down && !this.durable) {
      // an in-process queue died with its process: nobody takes this until the new one is up
      this.stats.lost++;
      return;
    }
    if (m.k === 'cmd' && this.backlog >= this.limit) {
      this.stats.refused++;
      this.refuse(m, 'BUSY the logic layer queue is full, try again later');
      return;
    }
    this.integrate();
    const job = { m, t: this.sched.now() };
    this.open.add(job);
    this.stats.admitted++;
    this.hop.push(job);
    this.sampled();
  }

  /** The logic layer answered request `req` of `conn` (its reply or login verdict went down). */
  answered(conn: number, req: number): void {
    this.taken.delete(reqKey(conn, req));
  }

  /** The logic layer's process dies: workers stop; see the class comment for what survives. */
  crash(): void {
    this.integrate();
    this.down = true;
    this.stats.restarts++;
    const inService = [...this.inService.entries()];
    for (const [w, s] of inService) {
      this.sched.clearTimer(s.timer as never);
      this.inService.delete(w);
      this.meter.leftService(this.sched.now() - s.started); // its work is lost
      this.busyConn.delete(keyOf(s.job.m));
      this.free.give(w);
      this.taken.set(s.job.m.k === 'closed' ? `closed:${s.job.m.conn}` : reqKey(s.job.m.conn, s.job.m.req), s.job);
    }
    if (this.durable) return;
    // An in-process queue: everything in it and everything taken is gone.
    const lost = [...this.hop.clear(), ...[...this.lines.values()].flat()];
    for (const job of lost) this.leave(job);
    this.stats.lost += lost.length + this.taken.size;
    this.lines.clear();
    this.ready.clear();
    this.waiting = 0;
    this.taken.clear();
    this.sampled();
  }

  /** The new logic process is up: a durable queue first gives back what was taken and not answered. */
  resume(): void {
    this.integrate();
    this.down = false;
    const first: number[] = [];
    if (this.durable && this.taken.size > 0) {
      // back at the head of each connection's line, in the order they were taken
      const back = new Map<number, Job[]>();
      for (const job of this.taken.values()) {
        const c = keyOf(job.m);
        (back.get(c) ?? back.set(c, []).get(c)!).push({ m: job.m, t: this.sched.now() });
      }
      this.stats.redelivered += this.taken.size;
      this.stats.admitted += this.taken.size;
      this.taken.clear();
      for (const [c, jobs] of back) {
        first.push(c);
        for (const j of jobs) this.open.add(j);
        const line = this.lines.get(c);
        this.waiting += jobs.length;
        if (line) line.unshift(...jobs);
        else this.lines.set(c, jobs);
      }
      this.sampled();
    }
    // no connection is in service after a crash: every one with a line is ready, those handed work back first
    this.ready.clear();
    for (const c of first) this.ready.push(c);
    for (const c of this.lines.keys()) if (!first.includes(c)) this.ready.push(c);
    this.dispatch();
  }

  private arrive(job: Job): void {
    const c = keyOf(job.m);
    let line = this.lines.get(c);
    if (!line) {
      this.lines.set(c, (line = []));
      if (!this.busyConn.has(c) && !this.down) this.ready.push(c); // while down, resume() rebuilds the ready list
    }
    line.push(job);
    this.waiting++;
    this.dispatch();
  }

  private dispatch(): void {
    if (this.down) return;
    while (this.free.free > 0 && this.ready.length > 0) {
      const c = this.ready.shift();
      const line = this.lines.get(c)!;
      const job = line.shift()!;
      if (line.length === 0) this.lines.delete(c);
      this.integrate();
      this.waiting--;
      this.leave(job);
      const now = this.sched.now();
      if (job.m.k === 'cmd' && late(now - job.t, this.timeoutUs)) {
        // htime: not done; the next request of this connection may go at once
        this.stats.timedOut++;
        this.refuse(job.m, `TIMEOUT the request waited ${Math.round((now - job.t) / 1000)} ms in the logic queue`);
        if (this.lines.has(c)) this.ready.push(c);
        continue;
      }
      const w = this.free.take();
      this.busyConn.add(c);
      const cmd = commandOf(job.m);
      const us = this.samplers.get(cmd)();
      const timer = this.sched.setTimer(us, () => this.done(w));
      this.inService.set(w, { job, timer, cmd, started: now });
    }
    this.sampled();
  }

  private done(w: number): void {
    this.integrate();
    const s = this.inService.get(w)!;
    this.inService.delete(w);
    this.free.give(w);
    const m = s.job.m;
    const c = keyOf(m);
    this.busyConn.delete(c);
    const rec = this.svc.get(s.cmd) ?? this.svc.set(s.cmd, { n: 0, sum: 0 }).get(s.cmd)!;
    const us = this.sched.now() - s.started;
    rec.n++;
    rec.sum += us;
    this.meter.leftService(us);
    this.stats.handled++;
    if (m.k !== 'closed') this.taken.set(reqKey(m.conn, m.req), s.job);
    if (this.lines.has(c)) this.ready.push(c);
    this.handle(m);
    this.onHandled?.(m);
    this.dispatch();
  }

  private leave(job: Job): void {
    if (!this.open.delete(job)) return;
    this.meter.leftQueue(this.sched.now() - job.t);
  }

  private integrate(): void {
    this.meter.advance(this.sched.now(), this.backlog, this.inService.size);
  }

  private sampled(): void {
    const b = this.backlog;
    if (b > this.stats.maxBacklog) this.stats.maxBacklog = b;
    this.onBacklog();
  }

  /**
   * Statistics since time 0. Asserts the identity behind Little's law (backlog area = the sum of every
   * request's time in the queue, busy area = the sum of every service time, open ones counted to now);
   * throws on a bookkeeping bug.
   */
  report(): LogicModelStats {
    this.integrate();
    const now = this.sched.now();
    const m = this.meter;
    let openQueue = 0;
    for (const j of this.open) openQueue += now - j.t;
    let openBusy = 0;
    for (const s of this.inService.values()) openBusy += now - s.started;
    m.check('logic model', openQueue, openBusy);
    const T = now / 1e6;
    const L = m.Lq(now);
    const lambda = T > 0 ? this.stats.admitted / T : 0;
    const W = m.queueLeft > 0 ? m.queueTime / m.queueLeft / 1e6 : 0;
    const lambdaW = lambda * W;
    const perCommand: LogicModelStats['perCommand'] = {};
    // code-unit order (not localeCompare: the same order on every machine)
    for (const [cmd, r] of [...this.svc].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) perCommand[cmd] = { n: r.n, meanServiceMs: r.sum / r.n / 1000 };
    return {
      ...this.stats,
      perCommand,
      little: { L, lambda, W, lambdaW, relError: littleCheck(L, lambdaW).relError, window: T },
      utilisation: m.utilisation(now, this.workers),
    };
  }
}
