// The load generator: real clients -- the simulator's ImClient over real TCP (tcp-client.ts) --
// with the simulator's traffic model (Poisson sends, workload.ts), through the chaos proxy when a
// profile is given (each client a device with its own link, kept across reconnects), against a
// running `imsim serve` or one started here. A run is judged by the simulator's delivery ledger
// and metrics (RealRun is a MetricsSource like the World), so a real run and a simulated one print
// the same table. Bounded: it sends for the duration, waits for delivery up to a drain limit, and
// stops everything it started.
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import { ImClient, type ClientObserver, type ClientOptions } from '../../protocol/client';
import type { ProtocolName } from '../../protocol/messages';
import { makeToken } from '../../protocol/token';
import { recordingObserver, type FrameRecord } from '../../scenario/observer';
import { Ledger, type DeliverySummary } from '../../sim/ledger';
import { runMetrics, type MetricsSource, type RunMetrics } from '../../sim/metrics';
import type { LinkProfile } from '../../sim/network/profiles';
import { makeRng } from '../../sim/rng';
import { DEFAULT_CLIENT, poissonSends } from '../../sim/scenarios/workload';
import { profileName, startProxy, type DeviceSetup, type ProxyDevice, type ProxyStats, type RunningProxy } from '../proxy/index';
import { newIncarnation } from '../incarnation';
import { realScheduler } from '../real-scheduler';
import { tcpClient, type Endpoint } from '../tcp-client';
import { startServer, type RunningServer } from '../tcp-server';

/** Connections the proxy accepts and the clients that made them meet here, by the client's local port. */
class PortRendezvous {
  private readonly known = new Map<number, ProxyDevice>();
  private readonly waiting = new Map<number, (d: ProxyDevice | undefined) => void>();

  register(port: number, d: ProxyDevice): void {
    const w = this.waiting.get(port);
    if (w) {
      this.waiting.delete(port);
      w(d);
    } else {
      this.known.set(port, d);
    }
  }

  /** The device behind a client port; undefined after `ms` (a stranger: a device of its own). */
  wait(port: number, ms = 2000): ProxyDevice | Promise<ProxyDevice | undefined> {
    const d = this.known.get(port);
    if (d) {
      this.known.delete(port);
      return d;
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(port);
        resolve(undefined);
      }, ms);
      this.waiting.set(port, (dev) => {
        clearTimeout(t);
        resolve(dev);
      });
    });
  }
}

export interface RealRunOptions {
  protocol: ProtocolName;
  /** The server (imsim serve, or a connection process). */
  server: { host: string; port: number };
  /** Put a chaos proxy in front of the server (each client a device with its own link). */
  proxy?: boolean;
  seed?: string | number;
  /** Client defaults (the simulator workload's: heartbeat 270 s, exponential reconnect). */
  client?: Partial<ClientOptions>;
  proxyLog?: (line: string) => void;
}

/** A run of real clients, recorded the way the simulator records a World. */
export class RealRun implements MetricsSource {
  /** Judges only this run's messages: a server's mailboxes may still hold an earlier run's (counted in ledger.ignored). */
  readonly ledger = new Ledger({ onlySent: true });
  readonly frames: FrameRecord[] = [];
  readonly clients = new Map<string, ImClient>();
  readonly links = new Map<string, ProxyDevice>();
  readonly sched = realScheduler();
  private readonly t0 = this.sched.now();
  private readonly rendezvous = new PortRendezvous();
  readonly seed: string;
  proxy: RunningProxy | null = null;
  /** Messages handed to clients, acknowledged (stored), and applied for the first time on a device. */
  sent = 0;
  acked = 0;
  delivered = 0;

  private constructor(readonly opts: RealRunOptions) {
    this.seed = String(opts.seed ?? 1);
  }

  static async start(opts: RealRunOptions): Promise<RealRun> {
    const run = new RealRun(opts);
    if (opts.proxy) {
      run.proxy = await startProxy({
        target: opts.server, seed: run.seed, log: opts.proxyLog, deviceOf: (port) => run.rendezvous.wait(port),
      });
    }
    return run;
  }

  /** Time since the run started, µs. */
  get now(): number {
    return this.sched.now() - this.t0;
  }

  /** A client for `user` (device `<user>-d1`), on its own device link when the run has a proxy; started. */
  add(user: string, link: DeviceSetup = {}, overrides: Partial<ClientOptions> = {}): ImClient {
    const device = overrides.device ?? `${user}-d1`;
    let at: Endpoint = this.opts.server;
    if (this.proxy) {
      const dev = this.proxy.device(device, link);
      this.links.set(device, dev);
      at = { host: this.proxy.host, port: this.proxy.port, onSocket: (s: Socket) => s.once('connect', () => this.rendezvous.register(s.localPort!, dev)) };
    }
    const rec = recordingObserver({ ledger: this.ledger, user, device: () => device, now: () => this.now, frames: this.frames });
    const observer: ClientObserver = {
      ...rec,
      acked: (cmid) => {
        rec.acked!(cmid);
        this.acked++;
      },
      applied: (m) => {
        rec.applied!(m);
        if (this.ledger.timesApplied(device, m.from, m.cmid) === 1) this.delivered++;
      },
    };
    const c = tcpClient(
      { user, token: makeToken(user), protocol: this.opts.protocol, random: makeRng(`${this.seed}/client/${device}`), incarnation: newIncarnation(), ...DEFAULT_CLIENT, ...this.opts.client, ...overrides, device },
      at, observer, this.sched,
    );
    this.clients.set(device, c);
    c.start();
    return c;
  }

  send(from: string, to: string, body: string): void {
    const c = this.clients.get(`${from}-d1`);
    if (!c) throw new Error(`no client for ${from}`);
    this.ledger.sent(from, to, c.send(to, body), this.now);
    this.sent++;
  }

  get online(): number {
    let n = 0;
    for (const c of this.clients.values()) if (c.state === 'online') n++;
    return n;
  }

  /** Every message sent is stored and delivered, and no client waits for a reply. */
  get settled(): boolean {
    if (this.acked < this.sent || this.delivered < this.sent) return false;
    for (const c of this.clients.values()) if (c.unanswered > 0 || c.outbox.size > 0) return false;
    return true;
  }

  metrics(): RunMetrics {
    return runMetrics(this);
  }

  /** Stops every client (QUIT) and the proxy. */
  async stop(): Promise<void> {
    for (const c of this.clients.values()) c.stop();
    await new Promise((r) => setTimeout(r, 20)); // let the QUITs and FINs go out
    await this.proxy?.close();
  }
}

// ---- imsim load -----------------------------------------------------------------------------

export interface LoadOptions {
  clients: number;
  /** How long the clients send, ms. */
  durationMs: number;
  protocol?: ProtocolName;
  /** A running server on 127.0.0.1 (or `host`); without it one is started here (embedded store). */
  port?: number;
  host?: string;
  /** Each client's link through the chaos proxy; without it the clients talk to the server directly. */
  profile?: string | Partial<LinkProfile>;
  mobility?: string[];
  natIdleUs?: number;
  /** Messages per second each client sends, on average (Poisson). */
  rate?: number;
  bodyBytes?: number;
  seed?: string | number;
  /**
   * The run's users are `<prefix>-u1`, `<prefix>-u2`, ... (plain u1, u2, ... with ''), so a second run
   * against the same server does not log in to mailboxes an earlier run filled. Default: newRunPrefix().
   */
  usersPrefix?: string;
  /** After the sending period, wait at most this long for delivery, ms. */
  drainMs?: number;
  /** Wait at most this long for every client to log in before sending, ms. */
  connectMs?: number;
  client?: Partial<ClientOptions>;
  progressEveryMs?: number;
  onProgress?: (p: LoadProgress) => void;
  proxyLog?: (line: string) => void;
}

export interface LoadProgress {
  elapsedMs: number;
  phase: 'connecting' | 'sending' | 'draining' | 'done';
  online: number;
  clients: number;
  sent: number;
  acked: number;
  delivered: number;
  /** Messages delivered per second since the last report. */
  deliveredPerSec: number;
}

export interface LoadResult {
  clients: number;
  protocol: ProtocolName;
  profile: string;
  server: string;
  seed: string;
  /** The users' prefix (`<prefix>-u1`, ...; '' for plain u1, ...). */
  usersPrefix: string;
  /** Deliveries of messages this run did not send (an earlier run's, still in a mailbox): left out of the ledger. */
  ignoredDeliveries: number;
  /** Every message delivered and every client idle by the end. */
  complete: boolean;
  delivery: DeliverySummary;
  metrics: RunMetrics;
  /** Wall time: logging in, sending, draining, ms. */
  connectMs: number;
  sendMs: number;
  drainMs: number;
  /** Messages delivered per second over sending + draining. */
  deliveredPerSec: number;
  latenciesMs: number[];
  proxy: ProxyStats | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const userName = (i: number, n: number, prefix = ''): string =>
  `${prefix ? `${prefix}-` : ''}u${String(i + 1).padStart(String(n).length, '0')}`;

/** A short random prefix for a load run's user names ('r' and three base-36 characters, e.g. r7k2). */
export function newRunPrefix(): string {
  return `r${randomInt(36 ** 3).toString(36).padStart(3, '0')}`;
}

/** What a user-name prefix may hold: it becomes part of user names on the wire and in tokens. */
export const USERS_PREFIX = /^[A-Za-z0-9_.]*$/;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!(Number.isInteger(o.clients) && o.clients >= 2)) throw new Error(`--clients must be an integer >= 2 (each client sends to the next), got ${o.clients}`);
  if (!(o.durationMs > 0)) throw new Error(`--duration must be > 0, got ${o.durationMs}`);
  const protocol = o.protocol ?? 'versioned';
  const seed = String(o.seed ?? 1);
  const prefix = o.usersPrefix ?? newRunPrefix();
  if (!USERS_PREFIX.test(prefix)) throw new Error(`--users-prefix takes letters, digits, '_' and '.', got '${prefix}'`);
  let own: RunningServer | null = null;
  if (o.port === undefined) own = await startServer({ protocol, port: 0 });
  const server = { host: o.host ?? '127.0.0.1', port: own ? own.port : o.port! };
  const run = await RealRun.start({ protocol, server, proxy: o.profile !== undefined, seed, client: o.client, proxyLog: o.proxyLog });
  const report = progressReporter(run, o);
  try {
    const n = o.clients;
    const users = Array.from({ length: n }, (_, i) => userName(i, n, prefix));
    const link: DeviceSetup = { profile: o.profile, mobility: o.mobility, natIdleUs: o.natIdleUs };
    const tConnect = Date.now();
    for (const u of users) run.add(u, link);
    const connectLimit = tConnect + (o.connectMs ?? 30_000);
    while (run.online < n && Date.now() < connectLimit) {
      report('connecting');
      await sleep(10);
    }
    if (run.online < n) throw new Error(`only ${run.online} of ${n} clients logged in within ${o.connectMs ?? 30_000} ms: is the server at ${server.host}:${server.port} running the ${protocol} protocol?`);
    const connectMs = Date.now() - tConnect;

    // The traffic model: each client sends to the next one at Poisson times.
    const rate = o.rate ?? 1;
    const durUs = o.durationMs * 1000;
    const plan: Planned[] = [];
    users.forEach((u, i) => {
      const expected = Math.ceil(rate * (durUs / 1e6));
      const sends = poissonSends(makeRng(`${seed}/workload/${userName(i, n)}`), // the same send times whatever the prefix
        expected * 2 + 10, 1000 / rate, o.bodyBytes ?? 40);
      for (const s of sends) if (s.atUs <= durUs) plan.push({ ...s, from: u, to: users[(i + 1) % n] });
    });
    const sendMs = await play(run, plan, () => report('sending'), durUs);
    const tDrain = run.now;
    await drain(run, o.drainMs ?? 10_000, () => report('draining'));
    const drainMs = (run.now - tDrain) / 1000;
    report('done', true);
    const metrics = run.metrics();
    return {
      clients: n, protocol, profile: profileName(o.profile), server: `${server.host}:${server.port}${own ? ' (started by imsim load)' : ''}`, seed,
      usersPrefix: prefix, ignoredDeliveries: run.ledger.ignored,
      complete: run.settled, delivery: metrics.delivery, metrics, connectMs, sendMs, drainMs,
      deliveredPerSec: run.delivered / ((sendMs + drainMs) / 1000),
      latenciesMs: run.ledger.latencies.map((us) => us / 1000),
      proxy: run.proxy ? { ...run.proxy.stats } : null,
    };
  } finally {
    await run.stop();
    await own?.close();
  }
}

/** Sends each planned message at its time (µs from now); resolves after the last one and the period's end, with the ms it took. */
export async function play(run: RealRun, plan: Planned[], tick: () => void = () => {}, periodUs = 0): Promise<number> {
  plan.sort((a, b) => a.atUs - b.atUs);
  const end = Math.max(periodUs, plan.length ? plan[plan.length - 1].atUs : 0);
  const t0 = run.now;
  let next = 0;
  await new Promise<void>((resolve) => {
    const step = () => {
      const now = run.now - t0;
      while (next < plan.length && plan[next].atUs <= now) {
        const p = plan[next++];
        run.send(p.from, p.to, p.body);
      }
      tick();
      if (now >= end && next >= plan.length) resolve();
      else run.sched.setTimer(Math.min((next < plan.length ? plan[next].atUs : end) - now, 100_000), step);
    };
    step();
  });
  return (run.now - t0) / 1000;
}

/** Waits until everything sent is delivered and the clients are idle, at most `ms`. */
export async function drain(run: RealRun, ms: number, tick: () => void = () => {}): Promise<void> {
  const limit = Date.now() + ms;
  while (!run.settled && Date.now() < limit) {
    tick();
    await sleep(10);
  }
}

export interface Planned { atUs: number; from: string; to: string; body: string }

/** Calls onProgress at most every progressEveryMs (and always with force). */
function progressReporter(run: RealRun, o: LoadOptions): (phase: LoadProgress['phase'], force?: boolean) => void {
  const every = o.progressEveryMs ?? 1000;
  const t0 = Date.now();
  let last = t0;
  let lastDelivered = 0;
  return (phase, force = false) => {
    if (!o.onProgress) return;
    const now = Date.now();
    if (!force && now - last < every) return;
    const rate = ((run.delivered - lastDelivered) * 1000) / Math.max(1, now - last);
    last = now;
    lastDelivered = run.delivered;
    o.onProgress({
      elapsedMs: now - t0, phase, online: run.online, clients: run.clients.size,
      sent: run.sent, acked: run.acked, delivered: run.delivered, deliveredPerSec: rate,
    });
  };
}

// ---- one scenario for real: the simulator's workload (alice on Wi-Fi sends bob N messages) ----

export interface RealWorkloadOptions {
  protocol: ProtocolName;
  /** bob's link (the mobile one) and what happens to it; alice's link. */
  profile?: string | Partial<LinkProfile>;
  mobility?: string[];
  natIdleUs?: number;
  senderProfile?: string | Partial<LinkProfile>;
  messages?: number;
  meanGapMs?: number;
  bodyBytes?: number;
  seed?: string | number;
  /** Client options for both, and bob's on top (as in the simulator's workload). */
  client?: Partial<ClientOptions>;
  receiver?: Partial<ClientOptions>;
  /** A running server; without it one is started here (embedded store). */
  port?: number;
  /** Give up waiting for delivery after the sends plus this long, ms. */
  drainMs?: number;
  onTick?: (run: RealRun) => void;
}

export interface RealWorkloadResult {
  run: RealRun;
  metrics: RunMetrics;
  complete: boolean;
  wallMs: number;
  latenciesMs: number[];
}

/**
 * The simulator's workload (src/sim/scenarios/workload.ts) on real sockets: the same two users,
 * links, client options, and the same send times and bodies (the same seeded stream), through
 * the chaos proxy, against a real server.
 */
export async function runRealWorkload(o: RealWorkloadOptions): Promise<RealWorkloadResult> {
  const own = o.port === undefined ? await startServer({ protocol: o.protocol, port: 0 }) : null;
  const server = { host: '127.0.0.1', port: own ? own.port : o.port! };
  const seed = String(o.seed ?? 1);
  const run = await RealRun.start({ protocol: o.protocol, server, proxy: true, seed, client: o.client });
  const t0 = Date.now();
  try {
    run.add('alice', { profile: o.senderProfile ?? 'wifi' });
    run.add('bob', { profile: o.profile ?? '3g', mobility: o.mobility, natIdleUs: o.natIdleUs }, o.receiver);
    // As in the simulator, the sends start with the clients: the first ones wait in alice's outbox until she is logged in.
    const n = o.messages ?? 100;
    const plan = poissonSends(makeRng(`${seed}/workload`), n, o.meanGapMs ?? 100, o.bodyBytes ?? 40).map((s) => ({ ...s, from: 'alice', to: 'bob' }));
    const tick = () => o.onTick?.(run);
    await play(run, plan, tick);
    await drain(run, o.drainMs ?? 30_000, tick);
    if (run.online < 2 && run.delivered === 0) throw new Error(`alice and bob could not log in through the proxy: is the server at ${server.host}:${server.port} running the ${o.protocol} protocol?`);
    const metrics = run.metrics();
    return { run, metrics, complete: run.settled, wallMs: Date.now() - t0, latenciesMs: run.ledger.latencies.map((us) => us / 1000) };
  } finally {
    await run.stop();
    await own?.close();
  }
}
