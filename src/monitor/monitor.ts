// The deck's monitoring (监控): what the runtimes report through MonitorSink, kept as the deck shows it —
// a current value and a history curve per metric, per connection server and summed, and message
// statistics against the same period yesterday.
//
// Time is what the caller passes (virtual µs in the simulator, epoch µs in the real server); day d starts
// at d·24 h + dayStartUs. Two resolutions are kept:
// - per second, the last 60 s: the "current" rates (cmd is requests/s over the last minute) stay live;
// - per minute, the last `retainMinutes`: history curves and the "vs yesterday" windows.
// Each call is O(1) amortised: an increment in the current bins; closing a minute snapshots the gauges.
// Reports come in time order (each runtime's clock is monotonic); one stamped earlier than the monitor's
// clock counts at the monitor's current second.
import type { MessageKind, MonitorSink, Platform, SessionPhase, SlowConsumerEvent } from './sink';

export const PHASES: readonly SessionPhase[] = ['iop-ses', 'p-ses', 'session'];
export const PLATFORMS: readonly Platform[] = ['ios', 'eios', 'android', 'wp'];
export const KINDS: readonly MessageKind[] = ['text', 'image'];

export const MINUTE_US = 60_000_000;
export const DAY_MINUTES = 1440;
const SECOND_US = 1_000_000;

export interface MonitorOptions {
  /** Minutes of history kept (default 3 days: today, yesterday and the day before). Must cover a day and 15 minutes. */
  retainMinutes?: number;
  /** Where days start, µs after each multiple of 24 h (e.g. a time zone's offset). Default 0. */
  dayStartUs?: number;
}

/** Per-server, per-minute history: counters summed over the minute, gauges as they stood at its end. */
class ServerHistory {
  readonly cmd: Float64Array;
  readonly htime: Float64Array;
  readonly error: Float64Array;
  /** Highest backlog sampled during the minute (a spike shows even if it drained before the minute ended). */
  readonly cmdqMax: Float64Array;
  readonly tot: Int32Array;
  readonly phase: Int32Array[];
  readonly platform: Int32Array[];
  // live state
  cmdqNow = 0;
  totNow = 0;
  readonly phaseNow = new Int32Array(PHASES.length);
  readonly platformNow = new Int32Array(PLATFORMS.length);
  readonly totals = { cmd: 0, htime: 0, error: 0 };
  /** Not the deck's: what the output buffer did to slow consumers since the start. */
  readonly slow = { dropped: 0, disconnect: 0 };
  /** Per-second ring of the last 60 s: cmd, htime, error. */
  readonly sec = [new Float64Array(60), new Float64Array(60), new Float64Array(60)];

  constructor(r: number) {
    this.cmd = new Float64Array(r);
    this.htime = new Float64Array(r);
    this.error = new Float64Array(r);
    this.cmdqMax = new Float64Array(r);
    this.tot = new Int32Array(r);
    this.phase = PHASES.map(() => new Int32Array(r));
    this.platform = PLATFORMS.map(() => new Int32Array(r));
  }
}

/** The metrics of the deck's table, by its names. */
export type MetricName =
  | 'cmd' | 'htime' | 'cmdq' | 'error'
  | 'tot-ses' | SessionPhase | Platform;

export const COUNTER_METRICS = ['cmd', 'htime', 'error'] as const;
/** The server metrics the deck also shows summed over all servers, as `<name>_sum`. */
const SUMMED: ReadonlySet<MetricName> = new Set(['cmd', 'htime', 'cmdq', 'error']);

/** The deck's monitoring table, rows 1–16, with the Chinese names of the slide. */
export const DECK_TABLE: readonly { n: number; metric: MetricName; sum: boolean; zh: string; en: string }[] = [
  { n: 1, metric: 'cmd', sum: false, zh: '每秒请求量', en: 'requests per second' },
  { n: 2, metric: 'htime', sum: false, zh: '超时量', en: 'timeouts (last minute)' },
  { n: 3, metric: 'cmdq', sum: false, zh: '队列堆积量', en: 'queue backlog' },
  { n: 4, metric: 'error', sum: false, zh: '错误量', en: 'errors (last minute)' },
  { n: 5, metric: 'cmd', sum: true, zh: '每秒请求量sum', en: 'requests per second, all servers' },
  { n: 6, metric: 'htime', sum: true, zh: '超时量sum', en: 'timeouts, all servers' },
  { n: 7, metric: 'cmdq', sum: true, zh: '队列堆积量sum', en: 'queue backlog, all servers' },
  { n: 8, metric: 'error', sum: true, zh: '错误量sum', en: 'errors, all servers' },
  { n: 9, metric: 'tot-ses', sum: true, zh: '总用户', en: 'all connections' },
  { n: 10, metric: 'iop-ses', sum: true, zh: '物理连接阶段登陆用户', en: 'connected, not logging in' },
  { n: 11, metric: 'p-ses', sum: true, zh: '逻辑连接阶段待登陆用户', en: 'waiting for login' },
  { n: 12, metric: 'session', sum: true, zh: '登陆用户', en: 'logged in' },
  { n: 13, metric: 'ios', sum: true, zh: '苹果客户端', en: 'iOS clients' },
  { n: 14, metric: 'eios', sum: true, zh: '英文版苹果客户端', en: 'English iOS clients' },
  { n: 15, metric: 'android', sum: true, zh: '安卓客户端', en: 'Android clients' },
  { n: 16, metric: 'wp', sum: true, zh: '微软客户端', en: 'Windows Phone clients' },
];

export interface TableRow {
  n: number;
  /** The deck's name: `cmd`, `cmd_sum`, `tot-ses`, … */
  name: string;
  zh: string;
  en: string;
  value: number;
  /** History curve: one value per minute, oldest first, ending with the last complete minute. */
  history: number[];
}

export interface SeriesPoint {
  /** Start of the minute, µs. */
  t: number;
  value: number;
}

export interface WindowComparison {
  kind: MessageKind;
  /** 'today' (since the day started, to the last complete minute) or the last 1/5/10/15 complete minutes. */
  window: 'today' | '1m' | '5m' | '10m' | '15m';
  now: number;
  /** The same period yesterday. */
  yesterday: number;
  /** now / yesterday (null when yesterday had none). */
  ratio: number | null;
}

export interface Violation {
  server: number | null;
  rule: string;
  detail: string;
}

export class Monitor implements MonitorSink {
  readonly retain: number;
  private readonly dayStartUs: number;
  private readonly servers: ServerHistory[] = [];
  private readonly messages: Float64Array[];
  private readonly messageTotals = new Float64Array(KINDS.length);
  /** The minute being filled (absolute minute number), -1 before the first report. */
  private minute = -1;
  private second = -1;
  private firstSecond = -1;
  private firstMinute = -1;
  private readonly negatives: Violation[] = [];

  constructor(opts: MonitorOptions = {}) {
    this.retain = opts.retainMinutes ?? 3 * DAY_MINUTES;
    if (!Number.isInteger(this.retain) || this.retain < DAY_MINUTES + 16) {
      throw new RangeError(`retainMinutes must be an integer >= ${DAY_MINUTES + 16} (a day and the 15-minute window), got ${this.retain}`);
    }
    this.dayStartUs = opts.dayStartUs ?? 0;
    this.messages = KINDS.map(() => new Float64Array(this.retain));
  }

  // ---- MonitorSink --------------------------------------------------------------------------

  cmd(t: number, server: number, n = 1): void {
    const s = this.at(t, server);
    s.cmd[this.slot(this.minute)] += n;
    s.sec[0][this.second % 60] += n;
    s.totals.cmd += n;
  }

  htime(t: number, server: number): void {
    const s = this.at(t, server);
    s.htime[this.slot(this.minute)]++;
    s.sec[1][this.second % 60]++;
    s.totals.htime++;
  }

  error(t: number, server: number): void {
    const s = this.at(t, server);
    s.error[this.slot(this.minute)]++;
    s.sec[2][this.second % 60]++;
    s.totals.error++;
  }

  cmdq(t: number, server: number, depth: number): void {
    const s = this.at(t, server);
    if (depth < 0 && this.negatives.length < 100) this.negatives.push({ server, rule: 'cmdq >= 0', detail: `cmdq sampled as ${depth} at t=${t}` });
    s.cmdqNow = depth;
    const i = this.slot(this.minute);
    if (depth > s.cmdqMax[i]) s.cmdqMax[i] = depth;
  }

  session(t: number, server: number, platform: Platform, from: SessionPhase | null, to: SessionPhase | null): void {
    const s = this.at(t, server);
    if (from === null) {
      s.totNow++;
      s.platformNow[PLATFORMS.indexOf(platform)]++;
    } else {
      s.phaseNow[PHASES.indexOf(from)]--;
    }
    if (to === null) {
      s.totNow--;
      s.platformNow[PLATFORMS.indexOf(platform)]--;
    } else {
      s.phaseNow[PHASES.indexOf(to)]++;
    }
  }

  message(t: number, kind: MessageKind): void {
    this.advance(t);
    const k = KINDS.indexOf(kind);
    this.messages[k][this.slot(this.minute)]++;
    this.messageTotals[k]++;
  }

  slowConsumer(t: number, server: number, what: SlowConsumerEvent): void {
    this.at(t, server).slow[what]++;
  }

  // ---- time -----------------------------------------------------------------------------------

  /**
   * Moves the monitor's clock to t, closing the minutes and seconds passed (gauges are snapshotted as they
   * stood). Reports call it themselves; call it before reading when nothing was reported for a while.
   */
  advance(t: number): void {
    const m = Math.floor((t - this.dayStartUs) / MINUTE_US);
    const sec = Math.floor((t - this.dayStartUs) / SECOND_US);
    if (this.minute < 0) {
      this.minute = m;
      this.second = sec;
      this.firstSecond = sec;
      this.firstMinute = m;
      return;
    }
    if (sec > this.second) {
      // clear the per-second slots we skip (at most 60 of them)
      for (let x = this.second + 1; x <= Math.min(sec, this.second + 60); x++) {
        for (const s of this.servers) for (const ring of s.sec) ring[x % 60] = 0;
      }
      this.second = sec;
    }
    if (m <= this.minute) return;
    if (m - this.minute > this.retain) {
      // Silent for longer than the history kept: every minute held is a quiet one with the gauges as they are.
      for (const s of this.servers) {
        s.cmd.fill(0);
        s.htime.fill(0);
        s.error.fill(0);
        s.cmdqMax.fill(s.cmdqNow);
        s.tot.fill(s.totNow);
        PHASES.forEach((_, p) => s.phase[p].fill(s.phaseNow[p]));
        PLATFORMS.forEach((_, p) => s.platform[p].fill(s.platformNow[p]));
      }
      for (const ring of this.messages) ring.fill(0);
      this.minute = m;
      return;
    }
    // Close the current minute, then each skipped one (gauges unchanged, counters zero).
    for (let x = this.minute; x < m; x++) {
      const closing = this.slot(x);
      const opening = this.slot(x + 1);
      for (const s of this.servers) {
        s.tot[closing] = s.totNow;
        for (let p = 0; p < PHASES.length; p++) s.phase[p][closing] = s.phaseNow[p];
        for (let p = 0; p < PLATFORMS.length; p++) s.platform[p][closing] = s.platformNow[p];
        s.cmd[opening] = 0;
        s.htime[opening] = 0;
        s.error[opening] = 0;
        s.cmdqMax[opening] = s.cmdqNow;
      }
      for (const ring of this.messages) ring[opening] = 0;
    }
    this.minute = m;
  }

  /** The monitor's clock: the start of the minute being filled, µs (NaN before the first report). */
  get now(): number {
    return this.minute < 0 ? NaN : this.minute * MINUTE_US + this.dayStartUs;
  }

  private slot(minute: number): number {
    return ((minute % this.retain) + this.retain) % this.retain;
  }

  private at(t: number, server: number): ServerHistory {
    this.advance(t);
    let s = this.servers[server];
    if (!s) {
      if (!Number.isSafeInteger(server) || server < 0) throw new RangeError(`server must be an integer >= 0, got ${server}`);
      for (let i = this.servers.length; i <= server; i++) this.servers[i] ??= new ServerHistory(this.retain);
      s = this.servers[server];
    }
    return s;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Connection servers that have reported. */
  get serverCount(): number {
    return this.servers.length;
  }

  /**
   * The current value of a metric, for one server or summed: cmd is requests/s over the last 60 s (or since
   * the first report, if sooner); htime and error are counts over the last 60 s; the rest are gauges now.
   */
  current(metric: MetricName, server?: number): number {
    return this.pick(server).reduce((a, s) => a + this.currentOf(s, metric), 0);
  }

  private currentOf(s: ServerHistory, metric: MetricName): number {
    const c = COUNTER_METRICS.indexOf(metric as (typeof COUNTER_METRICS)[number]);
    if (c >= 0) {
      const sum = s.sec[c].reduce((a, b) => a + b, 0);
      if (metric !== 'cmd') return sum;
      const elapsed = Math.min(60, this.second - this.firstSecond + 1);
      return sum / elapsed;
    }
    if (metric === 'cmdq') return s.cmdqNow;
    if (metric === 'tot-ses') return s.totNow;
    const p = PHASES.indexOf(metric as SessionPhase);
    if (p >= 0) return s.phaseNow[p];
    return s.platformNow[PLATFORMS.indexOf(metric as Platform)];
  }

  /** Everything counted since the start (Prometheus counters). */
  totals(server?: number): { cmd: number; htime: number; error: number } {
    const out = { cmd: 0, htime: 0, error: 0 };
    for (const s of this.pick(server)) {
      out.cmd += s.totals.cmd;
      out.htime += s.totals.htime;
      out.error += s.totals.error;
    }
    return out;
  }

  /** Not the deck's: pushes dropped and connections closed by the output buffer's slow-consumer policy, since the start. */
  slowConsumerTotals(server?: number): { dropped: number; disconnect: number } {
    const out = { dropped: 0, disconnect: 0 };
    for (const s of this.pick(server)) {
      out.dropped += s.slow.dropped;
      out.disconnect += s.slow.disconnect;
    }
    return out;
  }

  messageTotal(kind: MessageKind): number {
    return this.messageTotals[KINDS.indexOf(kind)];
  }

  /** Messages of a kind since the day started, the minute being filled included (a live "today so far"). */
  messagesToday(kind: MessageKind): number {
    if (this.minute < 0) return 0;
    const dayFirst = Math.floor(this.minute / DAY_MINUTES) * DAY_MINUTES;
    return this.sumMinutes(KINDS.indexOf(kind), dayFirst, this.minute);
  }

  /** Complete minutes held, oldest first: [first, last] absolute minute numbers (empty when none). */
  private minutes(last?: number): number[] {
    if (this.minute < 0) return [];
    const end = this.minute - 1;
    const start = Math.max(this.firstMinute, end - this.retain + 2, end - (last ?? this.retain) + 1);
    const out: number[] = [];
    for (let m = start; m <= end; m++) out.push(m);
    return out;
  }

  /**
   * A metric's history curve, one point per complete minute (oldest first): cmd as requests/s over the
   * minute, htime and error as counts, cmdq as the highest backlog sampled in the minute, sessions as they
   * stood at its end. `last` limits it to the last so many minutes.
   */
  series(metric: MetricName, opts: { server?: number; last?: number } = {}): SeriesPoint[] {
    const servers = this.pick(opts.server);
    return this.minutes(opts.last).map((m) => {
      const i = this.slot(m);
      let v = 0;
      for (const s of servers) v += this.minuteOf(s, metric, i);
      return { t: m * MINUTE_US + this.dayStartUs, value: v };
    });
  }

  private minuteOf(s: ServerHistory, metric: MetricName, i: number): number {
    switch (metric) {
      case 'cmd': return s.cmd[i] / 60;
      case 'htime': return s.htime[i];
      case 'error': return s.error[i];
      case 'cmdq': return s.cmdqMax[i];
      case 'tot-ses': return s.tot[i];
      default: {
        const p = PHASES.indexOf(metric as SessionPhase);
        return p >= 0 ? s.phase[p][i] : s.platform[PLATFORMS.indexOf(metric as Platform)][i];
      }
    }
  }

  /** Messages of a kind per complete minute, oldest first. */
  messageSeries(kind: MessageKind, opts: { last?: number } = {}): SeriesPoint[] {
    const ring = this.messages[KINDS.indexOf(kind)];
    return this.minutes(opts.last).map((m) => ({ t: m * MINUTE_US + this.dayStartUs, value: ring[this.slot(m)] }));
  }

  /**
   * The deck's table (rows 1–16): rows 1–4 for one server (server 0 unless given), 5–16 summed over all.
   * `history` minutes of curve per row (default 60).
   */
  table(opts: { server?: number; history?: number } = {}): TableRow[] {
    const server = opts.server ?? 0;
    return DECK_TABLE.map((r) => {
      const scope = r.sum ? undefined : server;
      return {
        n: r.n,
        name: r.sum && SUMMED.has(r.metric) ? `${r.metric}_sum` : r.metric,
        zh: r.zh,
        en: r.en,
        value: this.current(r.metric, scope),
        history: this.series(r.metric, { server: scope, last: opts.history ?? 60 }).map((p) => p.value),
      };
    });
  }

  /**
   * Message statistics as the deck's second table: for text and image, today so far and the last 1, 5, 10
   * and 15 complete minutes, each against the same period yesterday. Minutes older than the history kept
   * count as 0.
   */
  messageStats(): WindowComparison[] {
    const out: WindowComparison[] = [];
    if (this.minute < 0) return out;
    const last = this.minute - 1; // last complete minute
    const dayFirst = Math.floor(this.minute / DAY_MINUTES) * DAY_MINUTES;
    const windows: [WindowComparison['window'], number][] = [['today', last - dayFirst + 1], ['1m', 1], ['5m', 5], ['10m', 10], ['15m', 15]];
    for (let k = 0; k < KINDS.length; k++) {
      for (const [window, len] of windows) {
        const now = this.sumMinutes(k, last - len + 1, last);
        const yesterday = this.sumMinutes(k, last - len + 1 - DAY_MINUTES, last - DAY_MINUTES);
        out.push({ kind: KINDS[k], window, now, yesterday, ratio: yesterday > 0 ? now / yesterday : null });
      }
    }
    return out;
  }

  private sumMinutes(kind: number, from: number, to: number): number {
    const oldest = this.minute - this.retain + 1;
    let sum = 0;
    for (let m = Math.max(from, oldest); m <= to; m++) sum += this.messages[kind][this.slot(m)];
    return sum;
  }

  /**
   * The invariants of design.md §7, now: per server, tot-ses = Σ phases = Σ platforms, no count below 0,
   * cmdq >= 0 every time it was sampled. With `atRest`, also: every backlog has drained (cmdq = 0).
   */
  violations(opts: { atRest?: boolean } = {}): Violation[] {
    const out = [...this.negatives];
    this.servers.forEach((s, server) => {
      const phases = s.phaseNow.reduce((a, b) => a + b, 0);
      const platforms = s.platformNow.reduce((a, b) => a + b, 0);
      if (phases !== s.totNow) out.push({ server, rule: 'tot-ses = Σ phases', detail: `tot-ses ${s.totNow}, phases sum to ${phases}` });
      if (platforms !== s.totNow) out.push({ server, rule: 'tot-ses = Σ platforms', detail: `tot-ses ${s.totNow}, platforms sum to ${platforms}` });
      const counts: [string, number][] = [['tot-ses', s.totNow], ...PHASES.map((p, i) => [p, s.phaseNow[i]] as [string, number]),
        ...PLATFORMS.map((p, i) => [p, s.platformNow[i]] as [string, number])];
      for (const [name, n] of counts) if (n < 0) out.push({ server, rule: `${name} >= 0`, detail: `${name} is ${n}` });
      if (opts.atRest && s.cmdqNow !== 0) out.push({ server, rule: 'cmdq drains at rest', detail: `cmdq is ${s.cmdqNow}` });
    });
    return out;
  }

  private pick(server: number | undefined): ServerHistory[] {
    if (server === undefined) return this.servers.filter(Boolean);
    const s = this.servers[server];
    return s ? [s] : [];
  }
}

/** A sink that forwards every report to several (e.g. a Monitor and a trace). */
export function fanOut(...sinks: MonitorSink[]): MonitorSink {
  return {
    cmd: (t, s, n) => sinks.forEach((k) => k.cmd(t, s, n)),
    htime: (t, s) => sinks.forEach((k) => k.htime(t, s)),
    error: (t, s) => sinks.forEach((k) => k.error(t, s)),
    cmdq: (t, s, d) => sinks.forEach((k) => k.cmdq(t, s, d)),
    session: (t, s, p, f, to) => sinks.forEach((k) => k.session(t, s, p, f, to)),
    message: (t, kind) => sinks.forEach((k) => k.message(t, kind)),
    slowConsumer: (t, s, what) => sinks.forEach((k) => k.slowConsumer?.(t, s, what)),
  };
}
