// One scenario -- the simulator's workload: alice on Wi-Fi sends bob, on a mobile link, N messages
// at Poisson times -- run in the simulator and for real (real sockets, imsim's real server, the
// chaos proxy applying the same link model), measured by the same ledger and metrics.
// What `imsim compare --real` prints and notebook 07 charts.
import type { ClientOptions } from '../../protocol/client';
import type { ProtocolName } from '../../protocol/messages';
import { runMetrics, type RunMetrics } from '../../sim/metrics';
import { BATCHED_ACKS } from '../../sim/scenarios/workload';
import type { LinkProfile } from '../../sim/network/profiles';
import { runWorkload } from '../../sim/scenarios/workload';
import { runRealWorkload, type RealRun } from './load';
import { profileName } from '../proxy/index';

export interface SimVsRealOptions {
  protocol: ProtocolName;
  profile?: string | Partial<LinkProfile>;
  messages?: number;
  meanGapMs?: number;
  seed?: string | number;
  mobility?: string[];
  natIdleUs?: number;
  /** bob's client options in both runs (default: the comparison's, acks batched by 5 within 2 s). */
  receiver?: Partial<ClientOptions>;
  /** A running imsim serve for the real run (default: one started for it). */
  port?: number;
  drainMs?: number;
}

export interface RunSide {
  metrics: RunMetrics;
  /** Send-to-screen latency of each message bob applied, ms. */
  latenciesMs: number[];
  /** What bob's screen showed, in order (message bodies). */
  bobSaw: string[];
  /** Simulated or wall time of the run, ms. */
  timeMs: number;
  complete: boolean;
}

export interface SimVsReal {
  protocol: ProtocolName;
  profile: string;
  messages: number;
  sim: RunSide & { fingerprint: string; events: number };
  real: RunSide & { retransmissions: number };
  /** bob's screen showed the same messages in the same order in both. */
  sameDeliveries: boolean;
}

export async function simVsReal(o: SimVsRealOptions): Promise<SimVsReal> {
  const messages = o.messages ?? 100;
  const common = {
    protocol: o.protocol, profile: o.profile ?? '3g', messages, meanGapMs: o.meanGapMs ?? 50, seed: o.seed ?? 1,
    mobility: o.mobility ?? [], natIdleUs: o.natIdleUs, receiver: o.receiver ?? BATCHED_ACKS,
  };
  const world = runWorkload({ ...common, limitUs: messages * common.meanGapMs * 1000 + 3_600_000_000 });
  const simLedger = world.ledger;
  const bobSaw = (run: { ledger: { log: { user: string; body: string }[] } }) => run.ledger.log.filter((e) => e.user === 'bob').map((e) => e.body);
  const sim = {
    metrics: runMetrics(world), latenciesMs: simLedger.latencies.map((us) => us / 1000), bobSaw: bobSaw(world),
    timeMs: world.now / 1000, complete: simLedger.summary().unique === messages, fingerprint: world.trace.fingerprint(), events: world.kernel.executed,
  };
  const r = await runRealWorkload({ ...common, port: o.port, drainMs: o.drainMs });
  const run: RealRun = r.run;
  const real = {
    metrics: r.metrics, latenciesMs: r.latenciesMs, bobSaw: bobSaw(run), timeMs: r.wallMs, complete: r.complete,
    retransmissions: [...run.links.values()].reduce((a, l) => a + l.retransmissions, 0),
  };
  const same = sim.bobSaw.length === real.bobSaw.length && sim.bobSaw.every((b, i) => b === real.bobSaw[i]);
  return { protocol: o.protocol, profile: profileName(common.profile), messages, sim, real, sameDeliveries: same };
}

const r2 = (x: number): number | string => (Number.isFinite(x) ? Math.round(x * 100) / 100 : '-');

/** One row per measure, one column per run: the side-by-side table. */
export function simVsRealTable(results: readonly SimVsReal[]): Record<string, string | number>[] {
  const rows: [string, (s: RunSide) => number | string][] = [
    ['sent', (s) => s.metrics.delivery.sent],
    ['delivered', (s) => s.metrics.delivery.unique],
    ['lost', (s) => s.metrics.delivery.lost],
    ['applied twice', (s) => s.metrics.delivery.duplicates],
    ['out of order', (s) => s.metrics.delivery.outOfOrder],
    ['p50 latency (ms)', (s) => r2(s.metrics.delivery.latencyP50Ms)],
    ['p95 latency (ms)', (s) => r2(s.metrics.delivery.latencyP95Ms)],
    ['p99 latency (ms)', (s) => r2(s.metrics.delivery.latencyP99Ms)],
    ['round trips/msg', (s) => r2(s.metrics.roundTripsPerMessage)],
    ['bytes/msg (links)', (s) => r2(s.metrics.bytesPerMessage)],
    ["bob's radio wake-ups", (s) => s.metrics.wakeupsPerHourByDevice['bob-d1'] === undefined ? '-' : Math.round(s.metrics.wakeupsPerHourByDevice['bob-d1'] * s.metrics.virtualHours)],
    ['reconnects', (s) => s.metrics.reconnects],
  ];
  return rows.map(([name, f]) => {
    const row: Record<string, string | number> = { measure: name };
    for (const r of results) {
      row[`sim ${r.protocol}`] = f(r.sim);
      row[`real ${r.protocol}`] = f(r.real);
    }
    return row;
  });
}
