// The protocol comparison: both protocols over each link profile, the same workload and seed,
// one row per (profile, protocol). What `imsim compare`, notebook 02 and the bench run.
import { PROTOCOLS, type ProtocolName } from '../protocol/messages';
import { runMetrics, type RunMetrics } from './metrics';
import { PROFILES } from './network/profiles';
import { BATCHED_ACKS, runWorkload } from './scenarios/workload';

export const COMPARE_PROFILES = ['wifi', 'lte', '3g', 'edge', 'edge-lossy', '2g-rural', 'very-bad', 'blackhole'];
export const COMPARE_MOBILITY = ['resets', 'half-open', 'elevator'];
/** bob's client in the comparison (and in `imsim compare --real`): the queue protocol's acks batched by 5, within 2 s. */

export interface CompareOptions {
  profiles?: string[];
  protocols?: ProtocolName[];
  messages?: number;
  meanGapMs?: number;
  seed?: string | number;
  mobility?: string[];
  /** Called after each run, e.g. for progress output. */
  onRun?: (row: CompareRow, done: number, total: number) => void;
}

export interface CompareRow {
  profile: string;
  protocol: ProtocolName;
  metrics: RunMetrics;
  events: number;
  fingerprint: string;
  /** Send-to-screen latency of each delivered message, ms. */
  latenciesMs: number[];
}

export function compareProtocols(o: CompareOptions = {}): CompareRow[] {
  const profiles = o.profiles ?? COMPARE_PROFILES;
  for (const p of profiles) if (!PROFILES[p]) throw new Error(`unknown profile '${p}'; known: ${Object.keys(PROFILES).join(', ')}`);
  const protocols = o.protocols ?? [...PROTOCOLS];
  const messages = o.messages ?? 1000;
  const gap = o.meanGapMs ?? 2000;
  const rows: CompareRow[] = [];
  const total = profiles.length * protocols.length;
  for (const profile of profiles) {
    for (const protocol of protocols) {
      const world = runWorkload({
        protocol, profile, seed: o.seed ?? 1, messages, meanGapMs: gap, mobility: o.mobility ?? COMPARE_MOBILITY,
        receiver: BATCHED_ACKS,
        limitUs: messages * gap * 1000 + 3_600_000_000, // the sends, plus an hour to catch up
      });
      const row = {
        profile, protocol, metrics: runMetrics(world), events: world.kernel.executed, fingerprint: world.trace.fingerprint(),
        latenciesMs: world.ledger.latencies.map((us) => us / 1000),
      };
      rows.push(row);
      o.onRun?.(row, rows.length, total);
    }
  }
  return rows;
}

/** A flat record per row, for tables and JSON. */
export function compareTable(rows: readonly CompareRow[]): Record<string, string | number>[] {
  return rows.map(({ profile, protocol, metrics: m }) => ({
    profile, protocol,
    delivered: m.delivery.unique, lost: m.delivery.lost, 'applied twice': m.delivery.duplicates, 'out of order': m.delivery.outOfOrder,
    'p50 latency (s)': round(m.delivery.latencyP50Ms / 1000), 'p95 latency (s)': round(m.delivery.latencyP95Ms / 1000),
    'round trips/msg': round(m.roundTripsPerMessage), 'bytes/msg': round(m.bytesPerMessage),
    "bob's radio wake-ups/h": Math.round(m.wakeupsPerHourByDevice['bob-d1']), reconnects: m.reconnects,
  }));
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 100) / 100 : NaN);
