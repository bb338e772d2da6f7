// What every scenario returns: each run's metrics (a scenario comparing settings runs one world per
// setting), its stated outcome checked, and the worlds for anyone who wants to look closer (notebooks
// draw from them).
import type { ProtocolName } from '../../protocol/messages';
import type { LinkProfile } from '../network/profiles';
import { countFrames } from '../../scenario/observer';
import { runMetrics, type RunMetrics } from '../metrics';
import { Trace } from '../trace';
import type { World } from '../world';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioOptions {
  protocol: ProtocolName;
  seed?: string | number;
  /** The mobile user's link profile (a name or a user-defined profile), where the scenario lets you choose. */
  profile?: string | Partial<LinkProfile>;
  /** Messages to send, where the scenario lets you choose. */
  messages?: number;
  traceSink?: (line: string) => void;
  recordWire?: boolean;
}

/** One simulated world a scenario ran, with its own delivery, cost and fingerprint. */
export interface ScenarioRun {
  /** What this run is (e.g. 'durable queue', 'drop-newest, 16384 B'); the scenario's name when it ran one world. */
  label: string;
  metrics: RunMetrics;
  fingerprint: string;
  events: number;
  virtualMs: number;
  frames: Record<string, Record<string, number>>; // user -> "dir kind" -> count
  world: World;
}

export interface ScenarioResult {
  scenario: string;
  protocol: ProtocolName;
  seed: string;
  /** Every world the scenario ran, in its fixed order: a scenario that compares settings runs one per setting. */
  runs: ScenarioRun[];
  /**
   * The trace fingerprint: the world's own when the scenario ran one, else a hash of every run's label
   * and fingerprint in order (a divergence in any run changes it).
   */
  fingerprint: string;
  /** Events executed and virtual time simulated, over all runs. */
  events: number;
  virtualMs: number;
  /** Scenario-specific comparison rows (e.g. one per heartbeat interval). */
  rows: Record<string, string | number | boolean>[];
  checks: Check[];
}

export interface Scenario {
  about: string;
  /** The outcome the scenario demonstrates, as checked by its checks. */
  outcome: string;
  /** The scenario gives the same result for either protocol: `imsim sim` runs it once. */
  protocolIndependent?: boolean;
  run(o: ScenarioOptions): Promise<ScenarioResult>;
}

export const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

/** A world a scenario ran, named for the reader. */
export interface LabelledWorld {
  label: string;
  world: World;
}

/**
 * The scenario's result over the worlds it ran: one World, or several labelled ones in a fixed order
 * (every one is reported and fingerprinted, none stands for the others).
 */
export function result(
  scenario: string, o: ScenarioOptions, worlds: World | LabelledWorld[], checks: Check[], rows: ScenarioResult['rows'] = [],
): ScenarioResult {
  const list = Array.isArray(worlds) ? worlds : [{ label: scenario, world: worlds }];
  if (list.length === 0) throw new Error(`scenario ${scenario}: result() needs at least one world`);
  const labels = new Set(list.map((w) => w.label));
  if (labels.size !== list.length) throw new Error(`scenario ${scenario}: run labels must differ, got ${list.map((w) => w.label).join(', ')}`);
  const runs = list.map(({ label, world }): ScenarioRun => {
    const frames: ScenarioRun['frames'] = {};
    for (const user of world.users()) frames[user] = Object.fromEntries(countFrames(world.frames, user));
    return {
      label, metrics: runMetrics(world), fingerprint: world.trace.fingerprint(), events: world.kernel.executed,
      virtualMs: world.now / 1000, frames, world,
    };
  });
  return {
    scenario, protocol: o.protocol, seed: list[0].world.kernel.seed, runs, fingerprint: combinedFingerprint(runs),
    events: runs.reduce((a, r) => a + r.events, 0), virtualMs: runs.reduce((a, r) => a + r.virtualMs, 0), rows, checks,
  };
}

/** One run: its fingerprint. Several: the trace hash over (label, fingerprint) of each, in order. */
export function combinedFingerprint(runs: Pick<ScenarioRun, 'label' | 'fingerprint'>[]): string {
  if (runs.length === 1) return runs[0].fingerprint;
  const t = new Trace();
  runs.forEach((r, i) => t.record(i, r.label, r.fingerprint));
  return t.fingerprint();
}
