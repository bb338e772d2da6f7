/**
 * The connection layer at scale (issue 4, item 1): N connection servers, a balancer, and clients that each
 * hold one long connection with heartbeats and reconnect after losing it — enough clients to matter
 * (a million), so a client is a row in typed arrays, not an object.
 *
 * A server has a connection limit, memory per connection, a CPU cost per frame (accept, login, heartbeat)
 * and an accept rate. Connections that arrive faster than it accepts wait in its accept queue (the listen
 * backlog, as in the kernel); when the backlog is full the connection is REFUSED at once (the client
 * hears a reset after half a round trip); a connection that waits in the backlog longer than the client's
 * connect timeout FAILS (the client gives up and backs off; the server still pops it later and finds it
 * closed — an "abandoned" accept). A server that is down, draining or at its limit refuses too.
 *
 * An accepted connection logs in: the login goes to the logic layer (AUTH plus the first sync:
 * `logicPerLogin` requests, counted as logic QPS) and comes back after a round trip and the logic
 * latency; then the client is online and heartbeats every interval (the connection layer answers
 * heartbeats itself: CPU, no logic request). Connections end by the network (mobile drops), by the user
 * (diurnal sessions), or by the server (restarts).
 *
 * Restarts (RestartPlan: 'hard', 'drain', 'rolling', 'night') are run by a RestartController (restarts.ts)
 * over this layer's rows; the per-second series by SecondSeries (series.ts); options, results and
 * constants are in types.ts.
 *
 * Clients reconnect with the policies of src/protocol/policies.ts (RECONNECT, reconnectDelay): the formulas
 * live there only. Heartbeat intervals come from HEARTBEAT (an adaptive one is modelled at its starting
 * interval: nothing here cuts idle connections, so there is nothing to learn from).
 *
 * Determinism: one kernel, seeded streams named per layer; per-second counters are recorded in the
 * kernel's trace (one record a second, restarts), so the trace fingerprint is a digest of the whole run.
 */
import { HEARTBEAT, RECONNECT, reconnectDelay, type HeartbeatPolicy, type ReconnectPolicy } from '../../protocol/policies';
import { Kernel } from '../kernel';
import type { Rng } from '../rng';
import { IM_HOURLY, diurnalCurve, type DiurnalCurve } from '../workload/diurnal';
import { RestartController } from './restarts';
import { SecondSeries, type SecondCounts } from './series';
import {
  BALANCERS, DEFAULT_SERVER, END_DROP, END_LOGOUT, LOGIN, OFF, ONLINE, QUEUED, SYN, UP, US, WAIT,
  type Balancer, type ConnectionLayerOptions, type LayerResult, type LayerTotals, type ServerSpec,
} from './types';

// The public names, also importable from here (src/sim/connection-layer/index.ts re-exports them).
export {
  BALANCERS, RESTART_POLICIES, DEFAULT_SERVER,
  type Balancer, type ServerSpec, type DiurnalOptions, type RestartPlan, type RestartPolicy, type RestartMethod,
  type ConnectionLayerOptions, type LayerSeries, type RestartRecord, type LayerTotals, type LayerPeaks, type LayerResult,
} from './types';

function resolve<T>(v: string | T | undefined, table: Record<string, T>, fallback: string, what: string): T {
  if (v === undefined) return table[fallback];
  if (typeof v !== 'string') return v;
  const p = table[v];
  if (p === undefined) throw new RangeError(`unknown ${what} policy '${v}'; known: ${Object.keys(table).join(', ')}`);
  return p;
}

/**
 * The model. Build it, run it (run / runUntil, in chunks if you want progress), read result().
 * Per client: 8 typed-array columns (≈ 40 bytes) and one handler; per pending event the kernel's slot.
 */
export class ConnectionLayer {
  readonly kernel: Kernel;
  readonly name: string;
  readonly nClients: number;
  readonly nServers: number;
  readonly spec: ServerSpec;
  readonly heartbeat: HeartbeatPolicy;
  readonly reconnect: ReconnectPolicy;
  private readonly balancer: Balancer;

  // Per client (struct of arrays).
  private readonly state: Uint8Array;
  private readonly attempt: Uint8Array;
  private readonly endKind: Uint8Array;
  /** Index + 1 of the restart that cut this client and is still owed its return; 0 = none. */
  private readonly cutOf: Uint8Array;
  private readonly server: Int32Array;
  private readonly rttUs: Uint32Array;
  private readonly ticket: Uint32Array;
  private readonly timer: Float64Array;
  private readonly endAt: Float64Array;
  private readonly sessionEnd: Float64Array;
  private readonly handlers: (() => void)[];

  // Per server.
  private readonly srvState: Uint8Array;
  private readonly count: Int32Array;
  private readonly peakPer: Int32Array;
  private readonly windowPeak: Int32Array;
  private readonly cpuUs: Float64Array;
  private readonly qClient: Int32Array[];
  private readonly qTicket: Uint32Array[];
  private readonly qHead: Int32Array;
  private readonly qLen: Int32Array;
  private readonly acceptTimer: Float64Array;
  private readonly acceptBusy: Uint8Array;
  private readonly nextFree: Float64Array;
  private readonly acceptLoops: (() => void)[];
  private rr = 0;

  // Options in µs.
  private readonly hbUs: number;
  private readonly acceptGapUs: number;
  private readonly timeoutUs: number;
  private readonly loginUs: number;
  private readonly logicPerLogin: number;
  private readonly meanConnUs: number;
  private readonly meanOffUs: number;
  private readonly curve: DiurnalCurve | null;
  private readonly peakOnline: number;
  private readonly meanSessionUs: number;
  private readonly startClockUs: number; // time of day at t = 0
  private readonly wakeMax: number; // per µs

  private readonly rng: Rng;
  private readonly lbRng: Rng;

  // Counters.
  private sessions = 0;
  private connections = 0;
  private readonly totals: LayerTotals = {
    attempts: 0, accepts: 0, refused: 0, failed: 0, abandoned: 0, logins: 0, logicRequests: 0, heartbeats: 0,
    drops: 0, logouts: 0, cut: 0,
  };
  /** This second's counters (the series' own object). */
  private readonly sec: SecondCounts;
  private readonly seconds: SecondSeries;
  private peakBacklog = 0;
  /** Connections in all backlogs now (stale ones included: they hold their place until popped). */
  private backlogNow = 0;
  private readonly restarts: RestartController;

  constructor(o: ConnectionLayerOptions) {
    const bad = (m: string): never => {
      throw new RangeError(`connection layer: ${m}`);
    };
    if (!Number.isSafeInteger(o.clients) || o.clients < 1) bad(`clients must be an integer >= 1, got ${o.clients}`);
    if (!Number.isSafeInteger(o.servers) || o.servers < 1) bad(`servers must be an integer >= 1, got ${o.servers}`);
    const spec: ServerSpec = { ...DEFAULT_SERVER, ...o.server };
    if (!Number.isSafeInteger(spec.limit) || spec.limit < 1) bad(`limit must be an integer >= 1, got ${spec.limit}`);
    if (!(spec.acceptRate > 0)) bad(`acceptRate must be > 0 per second (Infinity: no limit), got ${spec.acceptRate}`);
    if (!Number.isSafeInteger(spec.backlog) || spec.backlog < 1) bad(`backlog must be an integer >= 1, got ${spec.backlog}`);
    if (!(spec.cores >= 1)) bad(`cores must be >= 1, got ${spec.cores}`);
    const balancer = o.balancer ?? 'least-loaded';
    if (!(BALANCERS as readonly string[]).includes(balancer)) bad(`balancer must be one of ${BALANCERS.join(', ')}, got '${balancer}'`);
    const [rttMin, rttMax] = o.rttMs ?? [40, 400];
    if (!(rttMin >= 0 && rttMax >= rttMin && rttMax < 4000)) bad(`rttMs must be [min, max] with 0 <= min <= max < 4000, got [${rttMin}, ${rttMax}]`);
    this.balancer = balancer;
    this.spec = spec;
    this.kernel = o.kernel ?? new Kernel({ seed: o.seed ?? 1 });
    this.name = o.name ?? 'layer';
    this.nClients = o.clients;
    this.nServers = o.servers;
    this.heartbeat = resolve(o.heartbeat, HEARTBEAT, 'fixed-270s', 'heartbeat');
    this.reconnect = resolve(o.reconnect, RECONNECT, 'exponential', 'reconnect');
    const hb = this.heartbeat;
    this.hbUs = hb.kind === 'fixed' ? hb.intervalUs : hb.kind === 'adaptive' ? hb.minUs : Infinity;
    this.acceptGapUs = spec.acceptRate === Infinity ? 0 : US / spec.acceptRate;
    this.timeoutUs = Math.round((o.connectTimeout ?? 10) * US);
    this.loginUs = Math.round((o.loginMs ?? 2) * 1000);
    this.logicPerLogin = o.logicPerLogin ?? 2;
    this.meanConnUs = (o.meanConnection ?? Infinity) * US;
    this.meanOffUs = (o.meanOffline ?? 5) * US;
    if (!(this.meanConnUs > 0)) bad(`meanConnection must be > 0 seconds, got ${o.meanConnection}`);
    if (!(this.meanOffUs >= 0)) bad(`meanOffline must be >= 0 seconds, got ${o.meanOffline}`);
    const d = o.diurnal ?? null;
    this.curve = d ? diurnalCurve(d.curve ?? IM_HOURLY) : null;
    this.peakOnline = d?.peakOnline ?? 0.8;
    if (d && !(this.peakOnline > 0 && this.peakOnline < 1)) bad(`diurnal.peakOnline must be in (0, 1), got ${this.peakOnline}`);
    this.meanSessionUs = (d?.meanSession ?? 1800) * US;
    this.startClockUs = (d?.startHour ?? 0) * 3600 * US;
    const fMax = this.peakOnline; // curve.relative() peaks at 1
    // An offline user comes online at rate f/(1−f)/L, so that the online fraction tracks f(t) (L: mean session).
    this.wakeMax = this.curve ? fMax / (1 - fMax) / this.meanSessionUs : 0;

    this.rng = this.kernel.rng(`connection-layer/${this.name}/clients`);
    this.lbRng = this.kernel.rng(`connection-layer/${this.name}/balancer`);

    const n = o.clients;
    this.state = new Uint8Array(n);
    this.attempt = new Uint8Array(n);
    this.endKind = new Uint8Array(n);
    this.cutOf = new Uint8Array(n);
    this.server = new Int32Array(n).fill(-1);
    this.rttUs = new Uint32Array(n);
    this.ticket = new Uint32Array(n);
    this.timer = new Float64Array(n);
    this.endAt = new Float64Array(n);
    this.sessionEnd = new Float64Array(n).fill(Infinity);
    this.handlers = new Array(n);

    const m = o.servers;
    this.srvState = new Uint8Array(m).fill(UP);
    this.count = new Int32Array(m);
    this.peakPer = new Int32Array(m);
    this.windowPeak = new Int32Array(m);
    this.cpuUs = new Float64Array(m);
    const finite = spec.acceptRate !== Infinity;
    this.qClient = Array.from({ length: m }, () => new Int32Array(finite ? spec.backlog : 0));
    this.qTicket = Array.from({ length: m }, () => new Uint32Array(finite ? spec.backlog : 0));
    this.qHead = new Int32Array(m);
    this.qLen = new Int32Array(m);
    this.acceptTimer = new Float64Array(m);
    this.acceptBusy = new Uint8Array(m);
    this.nextFree = new Float64Array(m);
    this.acceptLoops = Array.from({ length: m }, (_, s) => () => this.acceptLoop(s));
    this.seconds = new SecondSeries(this.kernel, this.name, { qLen: this.qLen, srvState: this.srvState, count: this.count, cpuUs: this.cpuUs, cores: spec.cores });
    this.sec = this.seconds.sec;
    this.restarts = new RestartController({
      kernel: this.kernel, name: this.name, nClients: n, nServers: m, rng: this.rng, curve: this.curve, startClockUs: this.startClockUs,
      totals: this.totals, state: this.state, attempt: this.attempt, endKind: this.endKind, cutOf: this.cutOf, server: this.server,
      rttUs: this.rttUs, ticket: this.ticket, timer: this.timer, endAt: this.endAt, handlers: this.handlers,
      srvState: this.srvState, nextFree: this.nextFree, qClient: this.qClient, qTicket: this.qTicket, qHead: this.qHead, qLen: this.qLen,
      acceptTimer: this.acceptTimer, acceptBusy: this.acceptBusy,
      sessions: () => this.sessions,
      backlogDropped: (k) => {
        this.backlogNow -= k;
      },
      release: (i) => this.release(i),
      refuse: (i, us) => this.refuse(i, us),
      retry: (i, us) => this.retry(i, us),
    });

    const k = this.kernel;
    const rng = this.rng;
    const rampUs = (o.rampUp ?? 0) * US;
    const f0 = this.curve ? this.peakOnline * this.curve.relative(this.startClockUs) : 1;
    for (let i = 0; i < n; i++) {
      this.handlers[i] = () => this.fire(i);
      this.rttUs[i] = Math.round((rttMin + rng.next() * (rttMax - rttMin)) * 1000);
      if (this.curve) {
        if (rng.next() >= f0) {
          this.state[i] = OFF;
          this.timer[i] = k.schedule(Math.round(rng.exp(1 / this.wakeMax)), this.handlers[i]);
          continue;
        }
        this.sessionEnd[i] = k.now + Math.round(rng.exp(this.meanSessionUs));
      }
      if (rampUs > 0) {
        this.state[i] = WAIT;
        this.timer[i] = k.schedule(Math.round(rng.next() * rampUs), this.handlers[i]);
      } else {
        this.placeOnline(i);
      }
    }
    const start = k.now;
    const tick = (): void => {
      this.sample();
      k.schedule(US, tick);
    };
    k.at(start + US, tick);
    for (const p of o.restarts ?? []) this.restarts.plan(p);
  }

  /** Virtual time, seconds. */
  get now(): number {
    return this.kernel.now / US;
  }

  /** Runs until simulated second `t` (absolute). */
  runUntil(t: number): void {
    this.kernel.run({ until: Math.round(t * US) });
  }

  /** Runs for `seconds`, calling onProgress after every `every` simulated seconds (default: a tenth). */
  run(seconds: number, onProgress?: (doneS: number, totalS: number) => void, every?: number): LayerResult {
    const from = this.now;
    const step = every ?? Math.max(1, seconds / 10);
    for (let done = 0; done < seconds; ) {
      done = Math.min(seconds, done + step);
      this.runUntil(from + done);
      onProgress?.(done, seconds);
    }
    return this.result();
  }

  /** Logged-in sessions now. */
  get online(): number {
    return this.sessions;
  }

  /** Connections per server now (a copy). */
  serverCounts(): number[] {
    return Array.from(this.count);
  }

  /** True if server s accepts connections now. */
  isUp(s: number): boolean {
    return this.srvState[s] === UP;
  }

  /** Starts a fresh window for windowPeaks(): each server's peak from its count now. */
  resetWindowPeaks(): void {
    this.windowPeak.set(this.count);
  }

  /** Most connections each server held since the last resetWindowPeaks() (exact, at each accept). */
  windowPeaks(): number[] {
    return Array.from(this.windowPeak);
  }

  /**
   * The books, recounted from the client rows: clients per state, connections summed over servers. For
   * tests and audits (O(clients)): connections = Σ servers = logging in + online; sessions = online.
   */
  census(): { off: number; waiting: number; connecting: number; queued: number; loggingIn: number; online: number;
    serverSum: number; connections: number; sessions: number } {
    const by = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < this.nClients; i++) by[this.state[i]]++;
    let serverSum = 0;
    for (let s = 0; s < this.nServers; s++) serverSum += this.count[s];
    return { off: by[OFF], waiting: by[WAIT], connecting: by[SYN], queued: by[QUEUED], loggingIn: by[LOGIN], online: by[ONLINE],
      serverSum, connections: this.connections, sessions: this.sessions };
  }

  result(): LayerResult {
    const p = this.seconds.peaks();
    const peakConn = Array.from(this.peakPer).reduce((a, b) => (b > a ? b : a), 0);
    return {
      name: this.name,
      clients: this.nClients,
      servers: this.nServers,
      seconds: this.now,
      totals: { ...this.totals },
      peaks: {
        attemptsPerS: p.attemptsPerS, acceptsPerS: p.acceptsPerS, logicQps: p.logicQps, refusedPerS: p.refusedPerS,
        backlog: this.peakBacklog, serverConnections: peakConn, serverMemMiB: (peakConn * this.spec.memKiB) / 1024, cpu: p.cpu,
      },
      peakPerServer: Array.from(this.peakPer),
      restarts: this.restarts.records.map((r) => ({ ...r, servers: [...r.servers] })),
      series: this.seconds.copy(),
      events: this.kernel.executed,
      fingerprint: this.kernel.trace.fingerprint(),
    };
  }

  // ---- clients ----

  private fire(i: number): void {
    switch (this.state[i]) {
      case OFF:
        return this.presence(i);
      case WAIT:
        if (this.kernel.now >= this.sessionEnd[i]) return this.goOff(i);
        return this.startAttempt(i);
      case SYN:
        return this.arrive(i);
      case QUEUED: // the connect timeout: the client gives up on this attempt
        this.totals.failed++;
        this.sec.failed++;
        this.state[i] = WAIT;
        return this.retry(i, 0);
      case LOGIN:
        return this.loggedIn(i);
      case ONLINE:
        if (this.kernel.now >= this.endAt[i]) return this.end(i);
        this.totals.heartbeats++;
        this.sec.heartbeats++;
        this.cpuUs[this.server[i]] += this.spec.cpuHeartbeatUs;
        return this.scheduleOnline(i);
    }
  }

  /** Diurnal arrivals by thinning: a candidate wake-up at the peak rate, kept with probability rate(t)/peak. */
  private presence(i: number): void {
    const k = this.kernel;
    const rng = this.rng;
    const f = this.peakOnline * this.curve!.relative(this.startClockUs + k.now);
    const rate = f / (1 - f) / this.meanSessionUs;
    if (rng.next() * this.wakeMax < rate) {
      this.sessionEnd[i] = k.now + Math.round(rng.exp(this.meanSessionUs));
      this.attempt[i] = 0;
      this.state[i] = WAIT;
      return this.startAttempt(i);
    }
    this.timer[i] = k.schedule(Math.round(rng.exp(1 / this.wakeMax)), this.handlers[i]);
  }

  private goOff(i: number): void {
    const r = this.cutOf[i];
    if (r) {
      this.cutOf[i] = 0;
      this.restarts.userLeft(r);
    }
    this.state[i] = OFF;
    this.server[i] = -1;
    this.timer[i] = this.kernel.schedule(Math.round(this.rng.exp(1 / this.wakeMax)), this.handlers[i]);
  }

  private startAttempt(i: number): void {
    this.totals.attempts++;
    this.sec.attempts++;
    const s = this.pick();
    if (s < 0) return this.refuse(i, this.rttUs[i]); // nothing accepts: the balancer answers
    this.server[i] = s;
    this.state[i] = SYN;
    this.timer[i] = this.kernel.schedule(this.rttUs[i] >>> 1, this.handlers[i]);
  }

  private arrive(i: number): void {
    const s = this.server[i];
    if (this.srvState[s] !== UP) return this.refuse(i, this.rttUs[i] >>> 1);
    if (this.acceptGapUs === 0) return this.accept(i, s);
    if (this.qLen[s] >= this.spec.backlog) return this.refuse(i, this.rttUs[i] >>> 1);
    const q = this.qClient[s];
    const pos = (this.qHead[s] + this.qLen[s]) % q.length;
    q[pos] = i;
    this.qTicket[s][pos] = ++this.ticket[i];
    this.qLen[s]++;
    if (++this.backlogNow > this.peakBacklog) this.peakBacklog = this.backlogNow;
    this.state[i] = QUEUED;
    this.timer[i] = this.kernel.schedule(this.timeoutUs, this.handlers[i]);
    if (!this.acceptBusy[s]) {
      this.acceptBusy[s] = 1;
      const at = Math.max(this.kernel.now, Math.round(this.nextFree[s]));
      this.acceptTimer[s] = this.kernel.at(at, this.acceptLoops[s]);
    }
  }

  /** Server s accepts the next live connection in its backlog (stale ones are popped and closed for free). */
  private acceptLoop(s: number): void {
    const q = this.qClient[s];
    const qt = this.qTicket[s];
    while (this.qLen[s] > 0) {
      const h = this.qHead[s];
      const i = q[h];
      const live = qt[h] === this.ticket[i] && this.state[i] === QUEUED && this.server[i] === s;
      this.qHead[s] = (h + 1) % q.length;
      this.qLen[s]--;
      this.backlogNow--;
      if (!live) {
        this.totals.abandoned++;
        continue;
      }
      this.kernel.cancel(this.timer[i]);
      this.accept(i, s);
      const now = this.kernel.now;
      this.nextFree[s] = Math.max(this.nextFree[s], now) + this.acceptGapUs;
      if (this.qLen[s] > 0) {
        this.acceptTimer[s] = this.kernel.at(Math.max(now, Math.round(this.nextFree[s])), this.acceptLoops[s]);
        return;
      }
      break;
    }
    this.acceptBusy[s] = 0;
  }

  private accept(i: number, s: number): void {
    this.cpuUs[s] += this.spec.cpuAcceptUs;
    if (this.count[s] >= this.spec.limit) return this.refuse(i, this.rttUs[i] >>> 1);
    this.totals.accepts++;
    this.sec.accepts++;
    const c = ++this.count[s];
    if (c > this.peakPer[s]) this.peakPer[s] = c;
    if (c > this.windowPeak[s]) this.windowPeak[s] = c;
    this.connections++;
    this.state[i] = LOGIN;
    this.setEnd(i);
    this.timer[i] = this.kernel.schedule(this.rttUs[i] + this.loginUs, this.handlers[i]);
  }

  /** When this connection will end by itself: the network drops it, or the user leaves. */
  private setEnd(i: number): void {
    const drop = this.meanConnUs === Infinity ? Infinity : this.kernel.now + Math.round(this.rng.exp(this.meanConnUs));
    const leave = this.sessionEnd[i];
    if (drop <= leave) {
      this.endAt[i] = drop;
      this.endKind[i] = END_DROP;
    } else {
      this.endAt[i] = leave;
      this.endKind[i] = END_LOGOUT;
    }
  }

  private loggedIn(i: number): void {
    const s = this.server[i];
    this.totals.logins++;
    this.totals.logicRequests += this.logicPerLogin;
    this.sec.logic += this.logicPerLogin;
    this.cpuUs[s] += this.spec.cpuLoginUs;
    this.sessions++;
    this.attempt[i] = 0;
    this.state[i] = ONLINE;
    const r = this.cutOf[i];
    if (r && this.srvState[s] === UP) {
      this.cutOf[i] = 0;
      this.restarts.cameBack(r);
    }
    this.scheduleOnline(i);
  }

  /** Next heartbeat, or the end of the connection if sooner. */
  private scheduleOnline(i: number): void {
    const now = this.kernel.now;
    const next = Math.max(now, Math.min(now + this.hbUs, this.endAt[i]));
    this.timer[i] = next === Infinity ? -1 : this.kernel.at(Math.round(next), this.handlers[i]);
  }

  /** Connected at t = 0 (no accept): for runs that start in steady state. */
  private placeOnline(i: number): void {
    const s = this.pick();
    if (s < 0 || this.count[s] >= this.spec.limit) {
      this.state[i] = WAIT;
      this.timer[i] = this.kernel.schedule(0, this.handlers[i]);
      return;
    }
    this.server[i] = s;
    const c = ++this.count[s];
    if (c > this.peakPer[s]) this.peakPer[s] = c;
    if (c > this.windowPeak[s]) this.windowPeak[s] = c;
    this.connections++;
    this.sessions++;
    this.state[i] = ONLINE;
    this.setEnd(i);
    // Heartbeats already in progress: a uniform phase.
    const first = Math.min(this.kernel.now + Math.floor(this.rng.next() * this.hbUs), this.endAt[i]);
    this.timer[i] = first === Infinity ? -1 : this.kernel.at(Math.round(first), this.handlers[i]);
  }

  /** The connection ends by itself (endAt reached). */
  private end(i: number): void {
    const kind = this.endKind[i];
    this.release(i);
    if (kind === END_LOGOUT) {
      this.totals.logouts++;
      return this.goOff(i);
    }
    this.state[i] = WAIT;
    this.attempt[i] = 0;
    if (kind === END_DROP) {
      // No network for a while; the phone reconnects as soon as it is back (connectivity change), the
      // reconnect policy paces the attempts after that one.
      this.totals.drops++;
      const off = this.meanOffUs > 0 ? Math.round(this.rng.exp(this.meanOffUs)) : 0;
      this.timer[i] = this.kernel.schedule(off, this.handlers[i]);
      return;
    }
    // END_CLOSE: the server closed it (drain): a reset reaches the client after half a round trip.
    return this.retry(i, this.rttUs[i] >>> 1);
  }

  /** Takes connection i off its server's books (LOGIN or ONLINE). */
  private release(i: number): void {
    const s = this.server[i];
    this.count[s]--;
    this.connections--;
    if (this.state[i] === ONLINE) this.sessions--;
  }

  private refuse(i: number, noticeUs: number): void {
    this.totals.refused++;
    this.sec.refused++;
    this.state[i] = WAIT;
    this.retry(i, noticeUs);
  }

  /** Next attempt after `extraUs` plus the reconnect policy's delay for this attempt. */
  private retry(i: number, extraUs: number): void {
    const a = this.attempt[i];
    if (a < 255) this.attempt[i] = a + 1;
    const d = reconnectDelay(this.reconnect, a, this.rng);
    this.timer[i] = this.kernel.schedule(extraUs + d, this.handlers[i]);
  }

  private pick(): number {
    const n = this.nServers;
    const st = this.srvState;
    if (this.balancer === 'least-loaded') {
      let best = -1;
      const count = this.count;
      for (let s = 0; s < n; s++) if (st[s] === UP && (best < 0 || count[s] < count[best])) best = s;
      return best;
    }
    if (this.balancer === 'round-robin') {
      for (let j = 0; j < n; j++) {
        const s = this.rr;
        this.rr = (this.rr + 1) % n;
        if (st[s] === UP) return s;
      }
      return -1;
    }
    let up = 0;
    for (let s = 0; s < n; s++) if (st[s] === UP) up++;
    if (up === 0) return -1;
    let j = this.lbRng.int(0, up - 1);
    for (let s = 0; s < n; s++) if (st[s] === UP && j-- === 0) return s;
    return -1;
  }

  private sample(): void {
    this.seconds.sample(this.sessions, this.connections);
    this.restarts.noteMins();
  }
}

/** Builds a layer, runs it for `seconds`, returns the result. */
export function runConnectionLayer(o: ConnectionLayerOptions & { seconds: number; onProgress?: (doneS: number, totalS: number) => void }): LayerResult {
  if (!(o.seconds > 0)) throw new RangeError(`connection layer: seconds must be > 0, got ${o.seconds}`);
  return new ConnectionLayer(o).run(o.seconds, o.onProgress);
}
