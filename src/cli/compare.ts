// `imsim compare`: both protocols over the chosen link profiles, one table.
import { PROTOCOLS } from '../protocol/messages';
import { COMPARE_MOBILITY, COMPARE_PROFILES, compareProtocols, compareTable } from '../sim/compare';
import { PATTERNS } from '../sim/network/mobility';
import { helpText, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'profiles', kind: 'string', help: 'comma-separated link profiles', default: COMPARE_PROFILES.join(',') },
  { name: 'messages', kind: 'number', help: 'messages alice sends bob per run', default: 1000 },
  { name: 'gap', kind: 'number', help: 'mean gap between messages, ms (Poisson)', default: 2000 },
  { name: 'mobility', kind: 'string', help: `what happens to bob's link: comma-separated of ${Object.keys(PATTERNS).join(', ')}, or none`, default: COMPARE_MOBILITY.join(',') },
  { name: 'seed', kind: 'string', help: 'seed of every random stream', default: '1' },
  { name: 'json', kind: 'boolean', help: 'print JSON instead of a table' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const COMPARE_HELP = helpText(
  'imsim compare [--profiles a,b,...] [--messages N] [--mobility a,b|none] [--seed N] [--json]',
  'Runs the same workload -- alice on Wi-Fi sends bob, on a mobile link, N messages at random times --\n' +
    'with both protocols over each profile, and prints delivery (lost, applied twice, out of order),\n' +
    'latency, round trips and bytes per message, radio wake-ups and reconnects side by side.',
  SPECS,
  ['imsim compare', 'imsim compare --profiles 3g,edge --messages 200 --mobility none', 'imsim compare --json > compare.json'],
);

export async function compareCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(COMPARE_HELP);
    return 0;
  }
  const list = (s: unknown) => String(s).split(',').map((x) => x.trim()).filter((x) => x && x !== 'none');
  const t0 = process.hrtime.bigint();
  const rows = compareProtocols({
    profiles: list(opts.profiles), protocols: [...PROTOCOLS], messages: Number(opts.messages), meanGapMs: Number(opts.gap),
    seed: String(opts.seed), mobility: list(opts.mobility),
    onRun: (r, done, total) => process.stderr.write(`  [${done}/${total}] ${r.profile} ${r.protocol}: ${r.metrics.delivery.unique} delivered, ${r.events} events\n`),
  });
  const table = compareTable(rows);
  if (opts.json) {
    process.stdout.write(JSON.stringify(table, null, 2) + '\n');
  } else {
    process.stdout.write(renderTable(table));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const events = rows.reduce((a, r) => a + r.events, 0);
    process.stdout.write(`\n${rows.length} runs, ${events} events in ${secs.toFixed(1)} s (${(events / secs / 1e6).toFixed(2)} M events/s)\n`);
  }
  return 0;
}

export function renderTable(rows: Record<string, string | number>[]): string {
  if (!rows.length) return '(no rows)\n';
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number) => (typeof v === 'number' && Number.isNaN(v) ? '-' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i < 2 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
