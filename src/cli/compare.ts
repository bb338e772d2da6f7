// `imsim compare`: both protocols over the chosen link profiles, one table.
import { PROTOCOLS } from '../protocol/messages';
import { COMPARE_MOBILITY, COMPARE_PROFILES, compareProtocols, compareTable } from '../sim/compare';
import { PATTERNS } from '../sim/network/mobility';
import { simVsReal, simVsRealTable, type SimVsReal } from '../server/load/load-compare';
import { DEFAULT_SECRET_HINT, PROBE_USER, probeServer } from '../server/load/probe';
import { makeToken } from '../protocol/token';
import { UsageError, helpText, mobilityArg, oneOf, parseArgs, positiveInt, positiveNumber, type OptionSpec } from './args';
import { profileArg } from './sim';

const SPECS: OptionSpec[] = [
  { name: 'profiles', kind: 'string', help: `comma-separated link profiles (default ${COMPARE_PROFILES.join(',')}; not with --real: see --profile)` },
  { name: 'messages', kind: 'number', help: 'messages alice sends bob per run (default 1000; 100 with --real)' },
  { name: 'gap', kind: 'number', help: 'mean gap between messages, ms, Poisson (default 2000; 50 with --real)' },
  { name: 'mobility', kind: 'string', help: `what happens to bob's link: comma-separated of ${Object.keys(PATTERNS).join(', ')}, or none (default ${COMPARE_MOBILITY.join(',')}; none with --real)` },
  { name: 'real', kind: 'boolean', help: 'run one scenario in the simulator AND for real (real sockets, real server, the chaos proxy), side by side' },
  { name: 'profile', kind: 'string', help: "only with --real: bob's link, a profile name or a JSON file (default 3g)" },
  { name: 'protocol', kind: 'string', help: 'only with --real: queue, versioned or both (default both)' },
  { name: 'port', kind: 'number', help: 'only with --real: a running imsim serve for the real run (default: one started for it; its protocol must match)' },
  { name: 'seed', kind: 'string', help: 'seed of every random stream', default: '1' },
  { name: 'json', kind: 'boolean', help: 'print JSON instead of a table (progress still goes to stderr)' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const COMPARE_HELP = helpText(
  'npx imsim compare [--profiles a,b,...] [--messages N] [--gap MS] [--mobility a,b|none] [--seed N] [--json]\n' +
    '       npx imsim compare --real [--profile NAME|FILE.json] [--protocol queue|versioned|both] [--port P]\n' +
    '                     [--messages N] [--gap MS] [--mobility a,b|none] [--seed N] [--json]',
  'Runs the same workload -- alice on Wi-Fi sends bob, on a mobile link, N messages at random times --\n' +
    'with both protocols over each profile, and prints delivery (lost, applied twice, out of order),\n' +
    'latency, round trips and bytes per message, radio wake-ups and reconnects side by side.\n' +
    '\n' +
    'With --real: one profile, run in the simulator AND for real -- real sockets, a real imsim serve\n' +
    '(started for it, or --port), bob\'s link through the chaos proxy running the same link model --\n' +
    'and the two printed side by side. Exit status 1 if bob saw different messages in the two runs\n' +
    'or they lost different numbers of messages.',
  SPECS,
  [
    'npx imsim compare', 'npx imsim compare --profiles 3g,edge --messages 200 --mobility none', 'npx imsim compare --json > compare.json',
    'npx imsim compare --real                          3g, 100 messages, both protocols: simulator vs real sockets',
    'npx imsim compare --real --profile edge-lossy --protocol versioned --messages 50',
  ],
);

export async function compareCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(COMPARE_HELP);
    return 0;
  }
  if (opts.real) {
    if (opts.profiles !== undefined) throw new UsageError('--profiles is for the simulated comparison; with --real give one link with --profile');
    return compareReal(opts);
  }
  for (const o of ['profile', 'protocol', 'port']) {
    if (opts[o] !== undefined) throw new UsageError(`--${o} goes with --real${o === 'profile' ? ' (the simulated comparison takes --profiles a,b,...)' : ''}`);
  }
  const messages = positiveInt(opts.messages ?? 1000, '--messages');
  const gap = positiveNumber(opts.gap ?? 2000, '--gap', 'ms');
  const mobility = mobilityArg(opts.mobility ?? COMPARE_MOBILITY.join(','));
  const profiles = String(opts.profiles ?? COMPARE_PROFILES.join(',')).split(',').map((x) => x.trim()).filter((x) => x);
  const t0 = process.hrtime.bigint();
  const rows = compareProtocols({
    profiles, protocols: [...PROTOCOLS], messages, meanGapMs: gap,
    seed: String(opts.seed), mobility,
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

async function compareReal(opts: Record<string, string | number | boolean | undefined>): Promise<number> {
  const protocol = oneOf(opts.protocol ?? 'both', [...PROTOCOLS, 'both'], '--protocol');
  const protocols = protocol === 'both' ? [...PROTOCOLS] : [protocol];
  const messages = positiveInt(opts.messages ?? 100, '--messages', { max: 100_000 });
  const gap = positiveNumber(opts.gap ?? 50, '--gap', 'ms');
  if (opts.port !== undefined && protocols.length > 1) throw new UsageError('--port serves one protocol: give --protocol queue or --protocol versioned with it');
  const profile = profileArg(String(opts.profile ?? '3g'));
  const mobility = mobilityArg(opts.mobility ?? 'none');
  const port = opts.port === undefined ? undefined : positiveInt(opts.port, '--port', { max: 65535 });
  // Against a running server: is it there, does it take the logins, does it run this protocol? Told before anything runs.
  if (port !== undefined) await probeServer({ host: '127.0.0.1', port, user: PROBE_USER, token: makeToken(PROBE_USER), protocol: protocols[0], loginHint: DEFAULT_SECRET_HINT });
  const results: SimVsReal[] = [];
  for (const protocol of protocols) {
    process.stderr.write(`  ${protocol}: simulating, then ${messages} messages for real (about ${((messages * gap) / 1000).toFixed(1)} s of sending)...\n`);
    const r = await simVsReal({
      protocol, profile, messages, meanGapMs: gap, seed: String(opts.seed), mobility,
      port,
    });
    results.push(r);
    process.stderr.write(`  ${protocol}: simulated ${r.sim.events} events (fingerprint ${r.sim.fingerprint}); real run ${(r.real.timeMs / 1000).toFixed(1)} s, ` +
      `${r.real.retransmissions} retransmissions; bob saw ${r.sameDeliveries ? 'the same messages in the same order' : 'DIFFERENT messages'} in both\n`);
  }
  const table = simVsRealTable(results);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ table, runs: results.map(({ sim, real, ...rest }) => ({ ...rest, sim: { ...sim, bobSaw: undefined }, real: { ...real, bobSaw: undefined } })) }, null, 2) + '\n');
  } else {
    const name = results[0]?.profile ?? '';
    process.stdout.write(`one scenario, simulated and real: alice (wifi) sends bob (${name}) ${messages} messages, mean gap ${gap} ms, seed ${opts.seed}\n\n`);
    process.stdout.write(renderTable(table));
    process.stdout.write('\nDelivery outcomes must agree; latencies differ by what the model leaves out (see notebook 07).\n');
  }
  const agree = results.every((r) => r.sameDeliveries && r.real.metrics.delivery.lost === r.sim.metrics.delivery.lost);
  return agree ? 0 : 1;
}

export function renderTable(rows: Record<string, string | number>[]): string {
  if (!rows.length) return '(no rows)\n';
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number) => (typeof v === 'number' && Number.isNaN(v) ? '-' : String(v));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i < 2 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + '\n';
}
