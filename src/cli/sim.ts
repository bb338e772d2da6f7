// `imsim sim`: run a named scenario in the simulator and print what happened.
import { createWriteStream } from 'node:fs';
import { PROTOCOLS, type ProtocolName } from '../protocol/messages';
import { DEFAULT_SCENARIO, SCENARIOS, runScenario, type SimRunResult } from '../sim/scenarios';
import { helpText, oneOf, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'scenario', kind: 'string', help: `scenario to run: ${Object.keys(SCENARIOS).join(', ')}`, default: DEFAULT_SCENARIO },
  { name: 'protocol', kind: 'string', help: 'queue, versioned, or both', default: 'both' },
  { name: 'seed', kind: 'string', help: 'seed of every random stream', default: '1' },
  { name: 'trace', kind: 'string', help: 'write the trace as JSON lines to this file (protocol name is added when both run)' },
  { name: 'json', kind: 'boolean', help: 'print the results as JSON' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const SIM_HELP = helpText(
  'imsim sim [--scenario NAME] [--protocol queue|versioned|both] [--seed N] [--trace FILE] [--json]',
  'Runs a scenario in the deterministic simulator and prints delivery (lost, duplicated, out of order),\n' +
    'frames per kind, virtual time and the trace fingerprint: the same seed gives the same fingerprint.\n' +
    'Scenarios:\n' + Object.entries(SCENARIOS).map(([n, s]) => `  ${n.padEnd(14)} ${s.about}`).join('\n'),
  SPECS,
  ['imsim sim', 'imsim sim --protocol queue --seed 7 --trace /tmp/queue.jsonl', 'imsim sim --json | jq .'],
);

export async function simCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(SIM_HELP);
    return 0;
  }
  const which = oneOf(opts.protocol, ['queue', 'versioned', 'both'] as const, '--protocol');
  const protocols: ProtocolName[] = which === 'both' ? [...PROTOCOLS] : [which];
  const results: SimRunResult[] = [];
  for (const protocol of protocols) {
    const file = opts.trace ? (protocols.length > 1 ? addSuffix(String(opts.trace), protocol) : String(opts.trace)) : null;
    const out = file ? createWriteStream(file) : null;
    const r = await runScenario(String(opts.scenario), { protocol, seed: String(opts.seed), traceSink: out ? (l) => out.write(l + '\n') : undefined });
    if (out) await new Promise((res) => out.end(res));
    results.push(r);
    if (!opts.json) printResult(r, file);
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(results.map(({ harness: _h, ...rest }) => rest), null, 2) + '\n');
  }
  return 0;
}

function addSuffix(file: string, protocol: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${file.slice(0, dot)}.${protocol}${file.slice(dot)}` : `${file}.${protocol}`;
}

function printResult(r: SimRunResult, traceFile: string | null): void {
  const d = r.delivery;
  const lines = [
    `scenario ${r.scenario} · protocol ${r.protocol} · seed ${r.seed}`,
    `  delivery: ${d.sent} sent, ${d.acked} acknowledged, ${d.unique} delivered, ${d.duplicates} duplicates, ${d.lost} lost, ${d.outOfOrder} out of order`,
    `  run:      ${r.virtualMs.toFixed(1)} ms virtual time, ${r.events} events, fingerprint ${r.fingerprint}`,
  ];
  for (const [user, kinds] of Object.entries(r.frames)) {
    const parts = Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`);
    lines.push(`  ${user} frames: ${parts.join(', ')}`);
  }
  if (traceFile) lines.push(`  trace written to ${traceFile}`);
  process.stdout.write(lines.join('\n') + '\n\n');
}
