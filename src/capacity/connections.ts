/**
 * The connection farm: the capacity view of the connection layer. N connection servers, each refusing
 * connections beyond its limit; a balancer assigning each new connection; clients that hold one long
 * connection, lose it now and then (mobile networks: handovers, NAT expiry) and reconnect; optionally one
 * server failing, its clients all reconnecting to the others within a jitter window.
 *
 * It answers the capacity question only — how many connections each server holds over time, how many are
 * refused — and runs on the one connection-layer model (src/sim/connection-layer) with what does not matter
 * here switched off: accepts are instant (no accept-rate limit, no backlog), round trips are zero, no
 * heartbeats. A network drop leaves the client offline for an exponential time (meanOffline), then it
 * reconnects; a refused client retries after retryAfter plus up to as much again of jitter.
 */
import { ConnectionLayer, BALANCERS, type Balancer, type RestartPlan } from '../sim/connection-layer/model';

export { BALANCERS, type Balancer };

export interface ConnectionFarmOptions {
  clients: number;
  servers: number;
  /** Hard limit per server: a connection beyond it is refused (the tested capacity). */
  limit: number;
  balancer: Balancer;
  /** Simulated seconds. */
  duration: number;
  /** Clients first connect uniformly over this many seconds. Default 60. */
  rampUp?: number;
  /** Mean life of a connection before the network drops it, seconds (exponential). Default 600. */
  meanConnection?: number;
  /** Mean time a dropped client stays offline before reconnecting, seconds (exponential). Default 5. */
  meanOffline?: number;
  /** A refused client retries after this many seconds plus up to as much again of jitter. Default 2. */
  retryAfter?: number;
  /** Server 0 fails at this second; its clients reconnect after a uniform jitter. Default: none. */
  failAt?: number;
  /** The failed server comes back after this many seconds. Default: stays down. */
  downFor?: number;
  /** Reconnect jitter window after the failure, seconds. Default 10. */
  reconnectJitter?: number;
  /** Seconds between samples of the per-server load. Default duration / 120. */
  sampleEvery?: number;
  seed?: string | number;
}

export interface FarmSample {
  t: number;
  online: number;
  max: number;
  mean: number;
  min: number;
}

export interface FarmResult {
  /** Connection attempts, and those refused because the chosen server was full. */
  attempts: number;
  refused: number;
  /** Highest count any server ever held. */
  peak: number;
  /** Highest count per server. */
  peakPerServer: number[];
  /** Highest count any server held before the failure (all servers up, steady state after the ramp). */
  peakBeforeFailure: number;
  /** Highest count any server held from the failure on. */
  peakAfterFailure: number;
  /** Mean connections online over the samples after the ramp-up. */
  meanOnline: number;
  series: FarmSample[];
  events: number;
}

const US = 1e6;

export function runConnectionFarm(o: ConnectionFarmOptions): FarmResult {
  const bad = (m: string): never => {
    throw new RangeError(`connection farm: ${m}`);
  };
  if (!Number.isSafeInteger(o.clients) || o.clients < 1) bad(`clients must be an integer >= 1, got ${o.clients}`);
  if (!Number.isSafeInteger(o.servers) || o.servers < 1) bad(`servers must be an integer >= 1, got ${o.servers}`);
  if (!Number.isSafeInteger(o.limit) || o.limit < 1) bad(`limit must be an integer >= 1, got ${o.limit}`);
  if (!(BALANCERS as readonly string[]).includes(o.balancer)) bad(`balancer must be one of ${BALANCERS.join(', ')}, got '${o.balancer}'`);
  if (!(o.duration > 0)) bad(`duration must be > 0 seconds, got ${o.duration}`);
  if (o.failAt !== undefined && o.servers < 2) bad('a failure needs at least 2 servers');

  const retryUs = (o.retryAfter ?? 2) * US;
  const rampUp = o.rampUp ?? 60;
  const restarts: RestartPlan[] = o.failAt === undefined ? [] : [{
    policy: 'hard', at: o.failAt, servers: [0], downtime: o.downFor ?? Infinity, noticeWithin: o.reconnectJitter ?? 10,
  }];
  const layer = new ConnectionLayer({
    clients: o.clients,
    servers: o.servers,
    server: { limit: o.limit, acceptRate: Infinity },
    balancer: o.balancer,
    heartbeat: 'off',
    // Uniform in [retryAfter, 2 × retryAfter] at every attempt: "exponential" with a cap equal to its base.
    reconnect: { kind: 'exponential', baseUs: 2 * retryUs, maxUs: 2 * retryUs, jitter: 0.5 },
    rttMs: [0, 0],
    loginMs: 0,
    rampUp,
    meanConnection: o.meanConnection ?? 600,
    meanOffline: o.meanOffline ?? 5,
    restarts,
    seed: o.seed ?? 1,
    name: 'farm',
  });

  const n = o.servers;
  const series: FarmSample[] = [];
  const sample = (): void => {
    const count = layer.serverCounts();
    let max = 0;
    let min = Infinity;
    let sum = 0;
    let m = 0;
    for (let s = 0; s < n; s++) {
      if (!layer.isUp(s)) continue;
      max = Math.max(max, count[s]);
      min = Math.min(min, count[s]);
      sum += count[s];
      m++;
    }
    series.push({ t: layer.now, online: layer.online, max, mean: m ? sum / m : 0, min: m ? min : 0 });
  };

  // Phase marks: the window peaks restart after the ramp-up and again right after the failure.
  const k = layer.kernel;
  const durationUs = Math.round(o.duration * US);
  const marks: { at: number; fn: () => void }[] = [];
  let peakBefore = 0;
  let peakAfter = 0;
  const window = () => Math.max(0, ...layer.windowPeaks());
  marks.push({ at: Math.min(Math.round(rampUp * US), durationUs), fn: () => layer.resetWindowPeaks() });
  if (o.failAt !== undefined && o.failAt * US <= durationUs) {
    const failUs = Math.round(o.failAt * US);
    marks.push({ at: failUs - 1, fn: () => (peakBefore = rampUp * US <= failUs - 1 ? window() : 0) });
    marks.push({ at: failUs, fn: () => layer.resetWindowPeaks() });
  }
  const sampleUs = Math.round((o.sampleEvery ?? o.duration / 120) * US);
  for (let t = sampleUs; t <= durationUs; t += sampleUs) marks.push({ at: t, fn: sample });
  marks.push({ at: durationUs, fn: () => undefined });
  marks.sort((a, b) => a.at - b.at); // stable: at equal times the phase marks (pushed first) come first
  for (const mk of marks) {
    if (mk.at > k.now) k.run({ until: mk.at });
    mk.fn();
  }
  if (o.failAt === undefined || o.failAt * US > durationUs) peakBefore = window();
  else peakAfter = window();

  const r = layer.result();
  const steady = series.filter((p) => p.t >= rampUp);
  return {
    attempts: r.totals.attempts,
    refused: r.totals.refused,
    peak: Math.max(...r.peakPerServer),
    peakPerServer: r.peakPerServer,
    peakBeforeFailure: peakBefore,
    peakAfterFailure: peakAfter,
    meanOnline: steady.length ? steady.reduce((a, p) => a + p.online, 0) / steady.length : 0,
    series,
    events: r.events,
  };
}
