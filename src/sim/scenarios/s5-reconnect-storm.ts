// S5: a reconnect storm after a connection-layer restart (design.md §6). 40,000 clients on 4 connection
// servers (10,000 each: the deck's 50% of a 20,000 limit, at 1/35 of its scale), each server accepting
// 10,000 connections/s with a listen backlog of 1024. At 60 s every server restarts at once (a hard
// restart) and is back in the balancer 30 s later (process start plus health checks). Every client
// reconnects with one backoff of src/protocol/policies.ts:
//  - fixed: every 1 s, no jitter: the whole population knocks every second, and all of it at once when
//    the servers come back;
//  - stepped (Phoenix): 10 ms … 2 s, then every 5 s, no jitter: bursts every 5 s;
//  - exponential with jitter (1, 2, 4 … 16 s, each delay drawn from its upper half): the knocks spread;
//  - Mars (15 s + up to 20 s of jitter, then 30, 120 … s) as a fourth, slow-and-gentle reference.
// All four run side by side on one kernel (one trace, one fingerprint), each layer with its own streams.
// Logins hit the logic layer (AUTH + the first sync: 2 requests each, for either protocol).
import { ConnectionLayer, type LayerResult } from '../connection-layer/model';
import { World } from '../world';
import { check, result, type Scenario, type ScenarioOptions } from './result';

export const S5_BACKOFFS = ['fixed', 'phoenix', 'exponential', 'mars'] as const;
export type S5Backoff = (typeof S5_BACKOFFS)[number];

export const S5_SETUP = {
  clients: 40_000,
  servers: 4,
  server: { limit: 20_000, acceptRate: 10_000, backlog: 1024 },
  restartAt: 60,
  downtime: 30,
  seconds: 300,
};

export interface S5Run {
  backoff: S5Backoff;
  result: LayerResult;
}

/** Runs the storm with each backoff on `world`'s kernel; returns one result per backoff. */
export function runS5(world: World, setup: Partial<typeof S5_SETUP> = {}): S5Run[] {
  const o = { ...S5_SETUP, ...setup };
  const layers = S5_BACKOFFS.map((backoff) => ({
    backoff,
    layer: new ConnectionLayer({
      clients: o.clients, servers: o.servers, server: o.server, reconnect: backoff, heartbeat: 'fixed-270s',
      restarts: [{ policy: 'hard', at: o.restartAt, downtime: o.downtime }], kernel: world.kernel, name: backoff,
    }),
  }));
  world.runFor(o.seconds * 1_000_000);
  return layers.map(({ backoff, layer }) => ({ backoff, result: layer.result() }));
}

const round = (x: number) => Math.round(x);

export const s5ReconnectStorm: Scenario = {
  about: 'reconnect storm after a connection-layer restart: fixed vs stepped vs exponential+jitter backoff (40k clients)',
  outcome: 'jittered exponential backoff keeps the peak accept rate and logic QPS far below fixed-interval retry; every backoff gets 99% back',
  protocolIndependent: true,
  async run(o: ScenarioOptions) {
    const world = new World({ protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink });
    const runs = runS5(world);
    const by = Object.fromEntries(runs.map((r) => [r.backoff, r.result])) as Record<S5Backoff, LayerResult>;
    const rows = runs.map(({ backoff, result: r }) => ({
      backoff,
      'peak attempts/s': r.peaks.attemptsPerS,
      'peak accepts/s': r.peaks.acceptsPerS,
      'peak logic QPS': r.peaks.logicQps,
      refused: r.totals.refused,
      'failed (timed out)': r.totals.failed,
      'peak backlog': r.peaks.backlog,
      '99% back after (s)': r.restarts[0].reconnected99 === null ? 'never' : +r.restarts[0].reconnected99.toFixed(1),
    }));
    const fx = by.fixed, ex = by.exponential, st = by.phoenix;
    const back = runs.map(({ backoff, result: r }) => `${backoff} ${r.restarts[0].reconnected99?.toFixed(1) ?? 'never'} s`).join(', ');
    const t99 = (r: LayerResult) => r.restarts[0].reconnected99 ?? Infinity;
    return result('s5-reconnect-storm', o, world, [
      check('every backoff gets 99% of the cut clients logged in again', runs.every(({ result: r }) => r.restarts[0].reconnected99 !== null), back),
      check('jittered exponential: peak accepts/s under a third of fixed-interval retry',
        ex.peaks.acceptsPerS * 3 < fx.peaks.acceptsPerS, `${round(ex.peaks.acceptsPerS)} vs ${round(fx.peaks.acceptsPerS)} accepts/s`),
      check('jittered exponential: peak logic QPS under a third of fixed-interval retry',
        ex.peaks.logicQps * 3 < fx.peaks.logicQps, `${round(ex.peaks.logicQps)} vs ${round(fx.peaks.logicQps)} logic requests/s`),
      check('stepped without jitter bursts harder than jittered exponential',
        st.peaks.acceptsPerS > 1.5 * ex.peaks.acceptsPerS, `${round(st.peaks.acceptsPerS)} vs ${round(ex.peaks.acceptsPerS)} accepts/s`),
      check('fixed-interval retry is refused at least 3x as often', fx.totals.refused >= 3 * ex.totals.refused,
        `${fx.totals.refused} vs ${ex.totals.refused} refused`),
      check('the price of jitter: exponential takes longer to get everyone back than fixed', t99(ex) > t99(fx), back),
    ], rows);
  },
};
