// `imsim capacity`: the deck's capacity estimate, its assumptions, and (with --confirm) a scaled-down simulation.
import { BALANCERS } from '../capacity/connections';
import { confirmPlan, type Confirmation } from '../capacity/confirm';
import { PLAN_PARAMS, PlanInputError, planAssumptions, planCapacity, planRows, type CapacityPlan, type PlanInputs } from '../capacity/plan';
import { UsageError, helpText, oneOf, parseArgs, type OptionSpec } from './args';

const PLAN_SPECS: OptionSpec[] = PLAN_PARAMS.map((p) => ({
  name: p.flag,
  kind: p.key === 'waitPercentile' ? 'string' : 'number',
  help: `${p.help}${p.unit === 'ms' || p.unit === 'KiB/conn' ? ` (${p.unit})` : ''}`,
  default: p.default,
}));

const SPECS: OptionSpec[] = [
  ...PLAN_SPECS,
  { name: 'n-plus-one', kind: 'boolean', help: 'add one spare connection server (same as --spare 1)' },
  { name: 'confirm', kind: 'boolean', help: 'also simulate the plan at a scaled-down size and check it holds' },
  { name: 'scale', kind: 'number', help: 'with --confirm: divide connections and per-server figures by this', default: 1000 },
  { name: 'balancer', kind: 'string', help: `with --confirm: ${BALANCERS.join(', ')}`, default: 'least-loaded' },
  { name: 'seed', kind: 'string', help: 'with --confirm: seed of the simulation', default: '1' },
  { name: 'json', kind: 'boolean', help: 'print the plan (and confirmation) as JSON' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

/** Help: each option on its line, then its default and where that default comes from. */
function capacityHelp(usage: string, about: string, examples: string[]): string {
  const sources = new Map(PLAN_PARAMS.map((p) => [p.flag, p.source]));
  const pad = ' '.repeat(32);
  const opts = SPECS.map((o) => {
    const head = `  --${o.name}${o.kind === 'boolean' ? '' : ` <${o.kind === 'string' ? 'value' : 'n'}>`}`;
    const first = head.length < pad.length ? head.padEnd(pad.length) + o.help : `${head}\n${pad}${o.help}`;
    const src = sources.get(o.name);
    const def = o.default === undefined ? '' : `default ${typeof o.default === 'number' ? o.default.toLocaleString('en-US') : o.default}`;
    const second = [def, src].filter(Boolean).join(' · ');
    return second ? `${first}\n${pad}${second}` : first;
  });
  // Reuse the house layout for usage, about and examples; the option list is ours (two lines per option).
  const [top, ...rest] = helpText(usage, about, [], examples).split('\nexamples:');
  return `${top}\noptions:\n${opts.join('\n')}\n\nexamples:${rest.join('\nexamples:')}`;
}

export const CAPACITY_HELP = capacityHelp(
  'npx imsim capacity [--connections N] [--per-server N] [--utilisation F] [--n-plus-one] [... see below] [--confirm] [--json]',
  [
    "Reproduces the Momo deck's connection-layer estimate and sizes what it implies. The deck (陌陌连接层):",
    '  总连接数 1200万+; 单台服务器压测70万连接，一般使用50%',
    '  12M+ connections; one server stress-tested at 700k connections, normally run at 50%',
    '  servers = ceil(12,000,000 / (700,000 × 0.5)) = ceil(34.29) = 35   (always rounded up: 34 would run at 50.4%)',
    '',
    'Then, from the stated assumptions (each flag says where its default comes from):',
    '  memory   per connection server: kernel socket memory + process memory per connection',
    '  logic    workers for the message rate so that the async queue meets a wait target (Erlang C, M/M/c)',
    '  store    memory for the messages kept: messages per day × retention days (or users × --max-history)',
    'It prints the assumptions, then the results with how each was computed. --confirm simulates the plan at',
    '1/--scale of its size (connections through a balancer, churn, one server failing; the logic queue at the',
    'full message rate) and checks it holds. Exit status 1 if a check fails.',
  ].join('\n'),
  [
    'npx imsim capacity                                   the deck: 35 servers',
    'npx imsim capacity --n-plus-one                      36: survive one server down within the 50% rule',
    'npx imsim capacity --utilisation 0.8                 run hotter: 22 servers',
    'npx imsim capacity --connections 30000000 --json | jq .connection.total',
    'npx imsim capacity --messages-per-second 50000 --wait-ms 5 --wait-percentile mean',
    'npx imsim capacity --confirm --balancer round-robin',
  ],
);

/** '99', 'p99', '99.9' -> number; 'mean' -> 'mean'. */
function parsePercentile(raw: unknown): number | 'mean' {
  const s = String(raw).trim().toLowerCase();
  if (s === 'mean') return 'mean';
  const n = Number(s.startsWith('p') ? s.slice(1) : s);
  if (!Number.isFinite(n)) throw new UsageError(`--wait-percentile takes a percentile such as 99 (or p99), or 'mean'; got '${String(raw)}'`);
  return n;
}

/** Display width in a terminal: CJK and full-width characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) ? 2 : 1;
  }
  return w;
}

function table(rows: Record<string, string>[], cols: string[]): string {
  const widths = cols.map((c) => Math.max(width(c), ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: string[]) =>
    '  ' + cells.map((v, i) => (i === cells.length - 1 ? v : v + ' '.repeat(widths[i] - width(v)))).join('  ');
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n');
}

function inputsFrom(opts: Record<string, string | number | boolean | undefined>): Partial<PlanInputs> {
  const out: Record<string, unknown> = {};
  for (const p of PLAN_PARAMS) {
    const v = opts[p.flag];
    if (v === undefined) continue;
    out[p.key] = p.key === 'waitPercentile' ? parsePercentile(v) : v;
  }
  if (opts['n-plus-one']) {
    if (opts.spare !== 0 && opts.spare !== 1) throw new UsageError('--n-plus-one means --spare 1; give one or the other');
    out.spareServers = 1;
  }
  return out as Partial<PlanInputs>;
}

/** The plan from CLI-style options; bad values become usage errors naming their flag. */
export function planFromArgs(argv: string[]): { plan: CapacityPlan; opts: Record<string, string | number | boolean | undefined> } {
  const { opts, positional } = parseArgs(argv, SPECS);
  if (positional.length) throw new UsageError(`imsim capacity takes only options, got '${positional.join(' ')}' (see npx imsim capacity --help)`);
  try {
    return { plan: planCapacity(inputsFrom(opts)), opts };
  } catch (e) {
    if (e instanceof PlanInputError) {
      const field = e.field;
      const flag = PLAN_PARAMS.find((p) => p.key === field)!.flag;
      throw new UsageError(`--${flag}: ${e.message}`);
    }
    throw e;
  }
}

function printPlan(plan: CapacityPlan): void {
  const out = [
    "imsim capacity · the Momo deck's estimate and what it implies",
    '',
    'assumptions',
    table(planAssumptions(plan), ['parameter', 'value', 'source']),
    '',
    'result',
    table(planRows(plan), ['quantity', 'value', 'how']),
    '',
  ];
  process.stdout.write(out.join('\n'));
}

function printConfirmation(c: Confirmation): void {
  const out = [
    '',
    `confirmation by simulation at 1/${c.scale}: ${c.clients.toLocaleString('en-US')} clients on ${c.servers} servers (hard limit ${c.limit} each, rule ${c.ruleLimit}),`,
    `${c.duration} s simulated${c.failAt === null ? '' : `, server 0 failing at ${c.failAt} s`}; the logic queue at the full message rate for ${c.messages.toLocaleString('en-US')} messages`,
    table(
      c.checks.map((k) => ({ check: k.name, result: k.ok ? 'ok' : 'FAILED', detail: k.detail })),
      ['check', 'result', 'detail'],
    ),
    '',
    c.logicOneFewer
      ? `  with one worker fewer (${c.logicOneFewer.workers}): the wait at the target percentile would be ${c.logicOneFewer.waitAtTargetMs.toFixed(3)} ms`
      : '  with one worker fewer the queue would be unstable (arrivals above service capacity)',
    `  plan ${c.holds ? 'holds' : 'does NOT hold'}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}

export async function capacityCommand(argv: string[]): Promise<number> {
  const { opts: pre } = parseArgs(argv, SPECS);
  if (pre.help) {
    process.stdout.write(CAPACITY_HELP);
    return 0;
  }
  const { plan, opts } = planFromArgs(argv);
  let confirmation: Confirmation | null = null;
  if (opts.confirm) {
    const balancer = oneOf(opts.balancer, BALANCERS, '--balancer');
    const scale = Number(opts.scale);
    if (!(scale >= 1)) throw new UsageError(`--scale divides the plan's size and must be >= 1, got ${opts.scale}`);
    try {
      confirmation = confirmPlan(plan, { scale, balancer, seed: String(opts.seed) });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (opts.json) {
    const assumptions = planAssumptions(plan);
    process.stdout.write(JSON.stringify({ ...plan, assumptions, confirmation }, null, 2) + '\n');
  } else {
    printPlan(plan);
    if (confirmation) printConfirmation(confirmation);
  }
  return confirmation && !confirmation.holds ? 1 : 0;
}
