// Named, runnable scenarios (design.md §6). Each states the outcome it demonstrates and checks it.
import { conversationScenario } from './conversation';
import type { Scenario, ScenarioOptions, ScenarioResult } from './result';
import { s1Flaky } from './s1-flaky';
import { s2HalfOpen } from './s2-half-open';
import { s3PushDuringSync } from './s3-push-during-sync';
import { s4Trimmed } from './s4-trimmed';
import { s5ReconnectStorm } from './s5-reconnect-storm';
import { s6LogicRestart } from './s6-logic-restart';
import { s7SlowConsumer } from './s7-slow-consumer';
import { s8AckBatching } from './s8-ack-batching';
import { s9TwoDevices } from './s9-two-devices';
import { s10HeartbeatNat } from './s10-heartbeat-nat';
import { s11Voice } from './s11-voice';

export type { Check, Scenario, ScenarioOptions, ScenarioResult } from './result';
export type { LabelledWorld, ScenarioRun } from './result';

export const SCENARIOS: Record<string, Scenario> = {
  conversation: conversationScenario,
  's1-flaky': s1Flaky,
  's2-half-open': s2HalfOpen,
  's3-push-during-sync': s3PushDuringSync,
  's4-trimmed': s4Trimmed,
  's5-reconnect-storm': s5ReconnectStorm,
  's6-logic-restart': s6LogicRestart,
  's7-slow-consumer': s7SlowConsumer,
  's8-ack-batching': s8AckBatching,
  's9-two-devices': s9TwoDevices,
  's10-heartbeat-nat': s10HeartbeatNat,
  's11-voice': s11Voice,
};

export const DEFAULT_SCENARIO = 'conversation';

export async function runScenario(name: string, o: ScenarioOptions): Promise<ScenarioResult> {
  const sc = SCENARIOS[name];
  if (!sc) throw new Error(`unknown scenario '${name}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return sc.run(o);
}
