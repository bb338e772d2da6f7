/**
 * A connection-assignment model for capacity checks: N connection servers, each refusing connections beyond
 * its limit; a balancer assigning each new connection; clients that hold one long connection, lose it now
 * and then (mobile networks: handovers, NAT expiry) and reconnect; optionally one server failing, its
 * clients all reconnecting to the others within a jitter window.
 *
 * It answers the capacity question only — how many connections each server holds over time, how many are
 * refused — so a client is two numbers (its server, its pending timer), and one handler per client is made
 * once. Protocol traffic is not modelled here.
 */
import { Kernel } from '../sim/kernel';

export const BALANCERS = ['round-robin', 'least-loaded', 'random'] as const;
export type Balancer = (typeof BALANCERS)[number];

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

  const k = new Kernel({ seed: o.seed ?? 1 });
  const rng = k.rng('capacity/connections');
  const us = (s: number) => Math.round(s * US);
  const meanConnUs = (o.meanConnection ?? 600) * US;
  const meanOffUs = (o.meanOffline ?? 5) * US;
  const retryUs = (o.retryAfter ?? 2) * US;
  const rampUs = (o.rampUp ?? 60) * US;
  const jitterUs = (o.reconnectJitter ?? 10) * US;
  const n = o.servers;

  const count = new Int32Array(n);
  const peakPer = new Int32Array(n);
  const up = new Uint8Array(n).fill(1);
  let upCount = n;
  const serverOf = new Int32Array(o.clients).fill(-1);
  const timer = new Float64Array(o.clients);
  let rr = 0;
  let attempts = 0;
  let refused = 0;
  let online = 0;
  let failed = false;
  let peakBefore = 0;
  let peakAfter = 0;

  function pick(): number {
    if (o.balancer === 'least-loaded') {
      let best = -1;
      for (let s = 0; s < n; s++) if (up[s] && (best < 0 || count[s] < count[best])) best = s;
      return best;
    }
    if (o.balancer === 'round-robin') {
      for (let i = 0; i < n; i++) {
        const s = rr;
        rr = (rr + 1) % n;
        if (up[s]) return s;
      }
      return -1;
    }
    let j = rng.int(0, upCount - 1); // random among the servers that are up
    for (let s = 0; s < n; s++) if (up[s] && j-- === 0) return s;
    return -1;
  }

  // One handler per client, made once: connect when offline, drop when online.
  const handlers: (() => void)[] = [];
  for (let i = 0; i < o.clients; i++) {
    handlers.push(() => {
      const s = serverOf[i];
      if (s >= 0) {
        count[s]--;
        online--;
        serverOf[i] = -1;
        timer[i] = k.schedule(Math.round(rng.exp(meanOffUs)), handlers[i]);
        return;
      }
      attempts++;
      const t = pick();
      if (t < 0 || count[t] >= o.limit) {
        refused++;
        timer[i] = k.schedule(Math.round(retryUs + rng.next() * retryUs), handlers[i]);
        return;
      }
      const c = ++count[t];
      if (c > peakPer[t]) peakPer[t] = c;
      if (failed) {
        if (c > peakAfter) peakAfter = c;
      } else if (k.now >= rampUs && c > peakBefore) {
        peakBefore = c;
      }
      online++;
      serverOf[i] = t;
      timer[i] = k.schedule(Math.round(rng.exp(meanConnUs)), handlers[i]);
    });
    timer[i] = k.schedule(Math.round(rng.next() * rampUs), handlers[i]);
  }

  if (o.failAt !== undefined) {
    k.at(us(o.failAt), () => {
      failed = true;
      up[0] = 0;
      upCount--;
      for (let i = 0; i < o.clients; i++) {
        if (serverOf[i] !== 0) continue;
        k.cancel(timer[i]);
        serverOf[i] = -1;
        count[0]--;
        online--;
        timer[i] = k.schedule(Math.round(rng.next() * jitterUs), handlers[i]);
      }
      for (let s = 1; s < n; s++) peakAfter = Math.max(peakAfter, count[s]);
      if (o.downFor !== undefined) {
        k.schedule(us(o.downFor), () => {
          up[0] = 1;
          upCount++;
        });
      }
    });
  }

  const series: FarmSample[] = [];
  const sampleUs = us(o.sampleEvery ?? o.duration / 120);
  const sample = (): void => {
    let max = 0;
    let min = Infinity;
    let sum = 0;
    let m = 0;
    for (let s = 0; s < n; s++) {
      if (!up[s]) continue;
      max = Math.max(max, count[s]);
      min = Math.min(min, count[s]);
      sum += count[s];
      m++;
    }
    series.push({ t: k.now / US, online, max, mean: m ? sum / m : 0, min: m ? min : 0 });
    k.schedule(sampleUs, sample);
  };
  k.schedule(sampleUs, sample);
  k.run({ until: us(o.duration) });

  const steady = series.filter((p) => p.t * US >= rampUs);
  return {
    attempts,
    refused,
    peak: Math.max(...peakPer),
    peakPerServer: Array.from(peakPer),
    peakBeforeFailure: peakBefore,
    peakAfterFailure: peakAfter,
    meanOnline: steady.length ? steady.reduce((a, p) => a + p.online, 0) / steady.length : 0,
    series,
    events: k.executed,
  };
}
