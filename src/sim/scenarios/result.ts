// What every scenario returns: the run's metrics, its stated outcome checked, and the world for
// anyone who wants to look closer (notebooks draw from it).
import type { ProtocolName } from '../../protocol/messages';
import type { LinkProfile } from '../network/profiles';
import { countFrames } from '../../scenario/observer';
import { runMetrics, type RunMetrics } from '../metrics';
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

export interface ScenarioResult {
  scenario: string;
  protocol: ProtocolName;
  seed: string;
  metrics: RunMetrics;
  fingerprint: string;
  events: number;
  virtualMs: number;
  frames: Record<string, Record<string, number>>; // user -> "dir kind" -> count
  /** Scenario-specific comparison rows (e.g. one per heartbeat interval). */
  rows: Record<string, string | number | boolean>[];
  checks: Check[];
  world: World;
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

export function result(
  scenario: string, o: ScenarioOptions, world: World, checks: Check[], rows: ScenarioResult['rows'] = [],
): ScenarioResult {
  const frames: ScenarioResult['frames'] = {};
  for (const user of world.users()) frames[user] = Object.fromEntries(countFrames(world.frames, user));
  return {
    scenario, protocol: o.protocol, seed: world.kernel.seed, metrics: runMetrics(world),
    fingerprint: world.trace.fingerprint(), events: world.kernel.executed, virtualMs: world.now / 1000,
    frames, rows, checks, world,
  };
}
