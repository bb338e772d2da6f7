// Named, runnable scenarios (design.md §6). Each states the outcome it demonstrates and checks it.
import { conversationScenario } from './conversation';
import type { Scenario, ScenarioOptions, ScenarioResult } from './result';
import { s1Flaky } from './s1-flaky';

export type { Check, Scenario, ScenarioOptions, ScenarioResult } from './result';

export const SCENARIOS: Record<string, Scenario> = {
  conversation: conversationScenario,
  's1-flaky': s1Flaky,
};

export const DEFAULT_SCENARIO = 'conversation';

export async function runScenario(name: string, o: ScenarioOptions): Promise<ScenarioResult> {
  const sc = SCENARIOS[name];
  if (!sc) throw new Error(`unknown scenario '${name}'; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return sc.run(o);
}
