// Named, runnable scenarios. Each is a script over the Harness, so it runs in the simulator and,
// where it makes sense, over real sockets too.
import type { ProtocolName } from '../protocol/messages';
import { conversation } from '../scenario/conversation';
import type { Harness } from '../scenario/harness';
import type { DeliverySummary } from './ledger';
import { SimHarness } from './sim-harness';
import type { WorldOptions } from './world';

export interface Scenario {
  about: string;
  script(h: Harness): Promise<void>;
}

export const SCENARIOS: Record<string, Scenario> = {
  conversation: {
    about: 'two users, 14 messages, bob\'s connection dropped in the middle (queue clients ack every 3)',
    script: conversation,
  },
};

export const DEFAULT_SCENARIO = 'conversation';

export interface SimRunResult {
  scenario: string;
  protocol: ProtocolName;
  seed: string;
  delivery: DeliverySummary;
  frames: Record<string, Record<string, number>>; // user -> "dir kind" -> count
  virtualMs: number;
  events: number;
  fingerprint: string;
  harness: SimHarness;
}

export async function runScenario(
  name: string,
  opts: Omit<WorldOptions, 'protocol'> & { protocol: ProtocolName },
): Promise<SimRunResult> {
  const sc = SCENARIOS[name];
  if (!sc) throw new Error(`unknown scenario '${name}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
  const h = new SimHarness(opts);
  await sc.script(h);
  const frames: SimRunResult['frames'] = {};
  for (const user of h.world.clients.keys()) frames[user] = Object.fromEntries(h.frameCounts(user));
  return {
    scenario: name,
    protocol: opts.protocol,
    seed: h.world.kernel.seed,
    delivery: h.ledger.summary(),
    frames,
    virtualMs: h.world.now / 1000,
    events: h.world.kernel.executed,
    fingerprint: h.world.trace.fingerprint(),
    harness: h,
  };
}
