// `imsim sim`: run a named scenario in the simulator and print what happened.
import { createWriteStream, readFileSync } from 'node:fs';
import { PROTOCOLS, type ProtocolName } from '../protocol/messages';
import { PROFILES, resolveProfile, type LinkProfile } from '../sim/network/profiles';
import { DEFAULT_SCENARIO, SCENARIOS, runScenario, type ScenarioResult } from '../sim/scenarios';
import { UsageError, helpText, oneOf, parseArgs, positiveInt, type OptionSpec } from './args';
import { formatResult, resultJson } from './format';

const SPECS: OptionSpec[] = [
  { name: 'scenario', kind: 'string', help: 'scenario to run (see the list above)', default: DEFAULT_SCENARIO },
  { name: 'protocol', kind: 'string', help: 'queue, versioned, or both', default: 'both' },
  { name: 'profile', kind: 'string', help: `the mobile user's link, where the scenario lets you choose: ${Object.keys(PROFILES).join(', ')}, or a JSON file` },
  { name: 'messages', kind: 'number', help: 'messages to send, where the scenario lets you choose' },
  { name: 'seed', kind: 'string', help: 'seed of every random stream', default: '1' },
  { name: 'trace', kind: 'string', help: 'write the trace as JSON lines to this file (protocol name is added when both run)' },
  { name: 'json', kind: 'boolean', help: 'print the results as JSON' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const SIM_HELP = helpText(
  'npx imsim sim [--scenario NAME] [--protocol queue|versioned|both] [--profile NAME] [--seed N] [--trace FILE] [--json]',
  'Runs a scenario in the deterministic simulator and prints delivery (lost, applied twice, out of\n' +
    'order), cost per message, the scenario\'s stated outcome checked, and the trace fingerprint: the\n' +
    'same seed gives the same fingerprint. A scenario that compares settings (S2, S3, S6, S7, S8, S10,\n' +
    'S11) runs one world per setting: each is printed under its label with its own delivery, cost and\n' +
    'fingerprint, and the scenario\'s fingerprint covers them all. Exit code 1 if a check fails.\n\nScenarios:\n' +
    Object.entries(SCENARIOS).map(([n, s]) => `  ${n.padEnd(22)} ${s.about}`).join('\n'),
  SPECS,
  ['npx imsim sim', 'npx imsim sim --scenario s1-flaky --protocol queue --profile edge --seed 7', 'npx imsim sim --trace /tmp/run.jsonl --json | jq .', 'npx imsim sim --scenario s7-slow-consumer --protocol queue --json | jq \'.[0].runs[] | {label, lost: .metrics.delivery.lost}\''],
);

export async function simCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(SIM_HELP);
    return 0;
  }
  // Everything is checked before anything runs: a bad value never follows a "running ..." line.
  const scenario = oneOf(String(opts.scenario), Object.keys(SCENARIOS), '--scenario');
  const which = oneOf(opts.protocol, ['queue', 'versioned', 'both'] as const, '--protocol');
  const messages = opts.messages === undefined ? undefined : positiveInt(opts.messages, '--messages');
  const profile = opts.profile ? profileArg(String(opts.profile)) : undefined;
  const once = which === 'both' && SCENARIOS[scenario].protocolIndependent;
  const protocols: ProtocolName[] = once ? ['versioned'] : which === 'both' ? [...PROTOCOLS] : [which];
  const results: ScenarioResult[] = [];
  for (const protocol of protocols) {
    const file = opts.trace ? (protocols.length > 1 ? addSuffix(String(opts.trace), protocol) : String(opts.trace)) : null;
    const out = file ? createWriteStream(file) : null;
    if (!opts.json) process.stderr.write(`running ${scenario} (${protocol})...\n`);
    const r = await runScenario(scenario, {
      protocol, seed: String(opts.seed), profile, messages,
      traceSink: out ? (l) => out.write(l + '\n') : undefined,
    });
    if (out) await new Promise((res) => out.end(res));
    results.push(r);
    if (!opts.json) process.stdout.write(formatResult(r) + (file ? `  trace written to ${file}\n` : '') + '\n');
  }
  if (opts.json) process.stdout.write(JSON.stringify(results.map(resultJson), null, 2) + '\n');
  return results.every((r) => r.checks.every((c) => c.ok)) ? 0 : 1;
}

/** A profile name, or a JSON file with a user-defined profile (fields of LinkProfile; missing ones from 'fixed'). */
export function profileArg(arg: string): string | Partial<LinkProfile> {
  if (!arg.endsWith('.json')) return resolveProfile(arg).name;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(arg, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read profile file ${arg}: ${(err as Error).message}`);
  }
  try {
    return resolveProfile(parsed as Partial<LinkProfile>);
  } catch (err) {
    throw new UsageError(`${arg}: ${(err as Error).message}`);
  }
}

function addSuffix(file: string, protocol: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${file.slice(0, dot)}.${protocol}${file.slice(dot)}` : `${file}.${protocol}`;
}
