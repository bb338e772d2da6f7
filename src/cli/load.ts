// `imsim load`: N real clients with the simulator's traffic model, through the chaos proxy when a
// profile is given, against `imsim serve`; the simulator's delivery ledger and metrics at the end.
import { PROTOCOLS } from '../protocol/messages';
import { USERS_PREFIX, newRunPrefix, runLoad, userName, type LoadProgress, type LoadResult } from '../server/load/load';
import { DEFAULT_SECRET_HINT, PROBE_USER, probeServer } from '../server/load/probe';
import { makeToken } from '../protocol/token';
import { profileName } from '../server/proxy/index';
import { PROFILES } from '../sim/network/profiles';
import { PATTERNS } from '../sim/network/mobility';
import { UsageError, helpText, mobilityArg, oneOf, parseArgs, positiveInt, positiveNumber, type OptionSpec } from './args';
import { profileArg } from './sim';

const SPECS: OptionSpec[] = [
  { name: 'clients', kind: 'number', help: 'real clients (each logs in as <prefix>-u1, <prefix>-u2, ... and sends to the next)', default: 100 },
  { name: 'users-prefix', kind: 'string', help: "the users' prefix (default: a new random one each run, e.g. r7k2, so runs against one server never share mailboxes; '' for plain u1, u2, ...)" },
  { name: 'duration', kind: 'number', help: 'seconds the clients send', default: 10 },
  { name: 'profile', kind: 'string', help: `each client's link through an in-process chaos proxy: ${Object.keys(PROFILES).join(', ')}, a JSON file, or direct`, default: 'direct' },
  { name: 'port', kind: 'number', help: 'a running imsim serve on 127.0.0.1 (default: start one here, embedded store)' },
  { name: 'protocol', kind: 'string', help: 'queue or versioned (must be what the server runs)', default: 'versioned' },
  { name: 'rate', kind: 'number', help: 'messages per second each client sends, on average (Poisson)', default: 1 },
  { name: 'mobility', kind: 'string', help: `what happens to each link: comma-separated of ${Object.keys(PATTERNS).join(', ')}`, default: 'none' },
  { name: 'nat-idle', kind: 'number', help: 'carrier NAT idle timeout on each link, seconds' },
  { name: 'body', kind: 'number', help: 'message body size, bytes', default: 40 },
  { name: 'drain', kind: 'number', help: 'after sending, wait at most this many seconds for delivery', default: 10 },
  { name: 'seed', kind: 'string', help: 'seed of the send times, link model and reconnect jitter', default: '1' },
  { name: 'json', kind: 'boolean', help: 'print the result as JSON (progress still goes to stderr)' },
  { name: 'proxy-log', kind: 'boolean', help: 'print every proxy connection event (opened, reset, cut) to stderr' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const LOAD_HELP = helpText(
  'npx imsim load [--clients N] [--duration S] [--profile NAME|direct] [--port P] [--protocol queue|versioned] [--rate R] [--json]',
  'Runs N real clients -- the simulator\'s client state machine over real TCP -- with the simulator\'s\n' +
    'traffic model: each client sends the next one messages at Poisson times, --rate per second on\n' +
    'average, for --duration seconds; then waits (at most --drain seconds) until every message is\n' +
    'delivered. With --profile every client is a device on its own link through an in-process chaos\n' +
    'proxy (the simulator\'s link model; see npx imsim proxy --help). Against --port, or a server started\n' +
    'here. Prints progress every second and, at the end, the simulator\'s delivery ledger (lost,\n' +
    'applied twice, out of order -- message by message) and metrics. Exit status 1 if anything was\n' +
    'lost, or applied twice with the versioned protocol, or the run did not finish: messages still\n' +
    'unacknowledged or undelivered, or a client still waiting for a reply, when --drain ran out\n' +
    '(a server that stopped answering, or a link too slow for the drain time).',
  SPECS,
  [
    'npx imsim load --clients 100 --duration 10',
    'npx imsim load --clients 1000 --duration 20 --profile 3g --port 7379',
    'npx imsim load --clients 50 --profile edge-lossy --mobility resets --protocol queue --json > run.json',
  ],
);

export async function loadCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(LOAD_HELP);
    return 0;
  }
  const protocol = oneOf(opts.protocol, PROTOCOLS, '--protocol');
  const clients = positiveInt(opts.clients, '--clients', { min: 2 }); // each client sends to the next
  const duration = positiveNumber(opts.duration, '--duration', 'seconds');
  if (duration > 3600) throw new UsageError(`--duration takes seconds in (0, 3600], got ${opts.duration}`);
  const rate = positiveNumber(opts.rate, '--rate', 'messages per second');
  const body = positiveInt(opts.body, '--body');
  const drain = positiveNumber(opts.drain, '--drain', 'seconds');
  const profile = String(opts.profile) === 'direct' ? undefined : profileArg(String(opts.profile));
  const natIdle = opts['nat-idle'] === undefined ? undefined : Number(opts['nat-idle']);
  if (natIdle !== undefined && !(natIdle > 0)) throw new UsageError(`--nat-idle takes seconds > 0, got ${opts['nat-idle']}`);
  const usersPrefix = opts['users-prefix'] === undefined ? newRunPrefix() : String(opts['users-prefix']);
  if (!USERS_PREFIX.test(usersPrefix)) throw new UsageError(`--users-prefix takes letters, digits, '_' and '.', got '${usersPrefix}'`);
  const port = opts.port === undefined ? undefined : positiveInt(opts.port, '--port', { max: 65535 });
  // Against a running server: is it there, does it take the clients' logins, does it run this protocol? Told at once.
  if (port !== undefined) await probeServer({ host: '127.0.0.1', port, user: PROBE_USER, token: makeToken(PROBE_USER), protocol, loginHint: DEFAULT_SECRET_HINT });
  const err = (l: string) => process.stderr.write(l + '\n');
  err(`imsim load: ${clients} clients, ${protocol} protocol, ${profile === undefined ? 'direct' : `through the '${profileName(profile)}' link`}, ` +
    `${rate} msg/s each for ${duration} s${opts.port === undefined ? ', against a server started here' : `, against 127.0.0.1:${opts.port}`}; ` +
    `users ${userName(0, clients, usersPrefix)}..${userName(clients - 1, clients, usersPrefix)}`);
  const r = await runLoad({
    clients, durationMs: duration * 1000, protocol, port, profile,
    mobility: mobilityArg(opts.mobility), natIdleUs: natIdle === undefined ? undefined : Math.round(natIdle * 1e6), rate,
    bodyBytes: body, seed: String(opts.seed), drainMs: drain * 1000, usersPrefix,
    onProgress: (p) => err(progressLine(p)), proxyLog: opts['proxy-log'] ? err : undefined,
  });
  if (opts.json) {
    const { latenciesMs: _l, ...rest } = r;
    process.stdout.write(JSON.stringify(rest, null, 2) + '\n');
  } else {
    process.stdout.write(formatLoad(r));
  }
  const problems = loadProblems(r);
  for (const p of problems) err(`imsim load: FAILED: ${p}`);
  return problems.length ? 1 : 0;
}

/** Why a run fails `imsim load` (exit status 1); empty when it passed. */
export function loadProblems(r: LoadResult): string[] {
  const d = r.delivery;
  const out: string[] = [];
  if (d.lost > 0) out.push(`${d.lost} message(s) lost`);
  if (r.protocol === 'versioned' && d.duplicates > 0) out.push(`${d.duplicates} message(s) applied twice with the versioned protocol`);
  if (!r.complete) {
    out.push(`the run did not finish within --drain (${(r.drainMs / 1000).toFixed(1)} s): ${d.sent} sent, ${d.acked} stored, ${d.unique} delivered` +
      `${d.pending ? `, ${d.pending} still under way` : ''} -- is the server answering? on a slow link give a longer --drain`);
  }
  return out;
}

export function progressLine(p: LoadProgress): string {
  return `  ${(p.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${p.phase.padEnd(10)} online ${p.online}/${p.clients}  sent ${p.sent}  stored ${p.acked}  ` +
    `delivered ${p.delivered}  ${Math.round(p.deliveredPerSec)} msg/s`;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

export function formatLoad(r: LoadResult): string {
  const d = r.delivery, m = r.metrics;
  const lines = [
    `imsim load · ${r.clients} clients${r.usersPrefix ? ` (${r.usersPrefix}-u…)` : ''} · ${r.protocol} · link ${r.profile} · server ${r.server} · seed ${r.seed}`,
    `  delivery: ${d.sent} sent, ${d.acked} stored, ${d.unique} delivered, ${d.duplicates} applied twice, ${d.lost} lost, ${d.outOfOrder} out of order` +
      `${d.pending ? `, ${d.pending} still under way` : ''}${r.complete ? '' : '  (NOT complete when the drain limit ran out)'}`,
    `  latency:  p50 ${f1(d.latencyP50Ms)} ms, p95 ${f1(d.latencyP95Ms)} ms, p99 ${f1(d.latencyP99Ms)} ms (send to screen)`,
    `  cost:     ${Number.isFinite(m.roundTripsPerMessage) ? m.roundTripsPerMessage.toFixed(2) : '-'} round trips per message` +
      (r.proxy ? `, ${m.bytesPerMessage.toFixed(0)} bytes per message on the links, ${m.wakeups} radio wake-ups, ${r.proxy.retransmissions} retransmissions` : '') +
      `, ${m.reconnects} reconnects`,
    `  time:     logins ${(r.connectMs / 1000).toFixed(1)} s, sending ${(r.sendMs / 1000).toFixed(1)} s, draining ${(r.drainMs / 1000).toFixed(1)} s; ${Math.round(r.deliveredPerSec)} msg/s delivered`,
  ];
  if (r.ignoredDeliveries) {
    lines.push(`  ignored:  ${r.ignoredDeliveries} deliveries of messages this run did not send (an earlier run's, still in these users' mailboxes)`);
  }
  if (r.proxy) lines.push(`  proxy:    ${r.proxy.accepted} connections, ${r.proxy.reset} reset, ${r.proxy.failed} failed to connect`);
  return lines.join('\n') + '\n';
}
