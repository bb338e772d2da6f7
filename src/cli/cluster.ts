// `imsim cluster`: a split deployment on this machine for trying it out: N connection processes,
// M logic processes, one Redis (started here on a free port unless --redis is given).
import { PROTOCOLS } from '../protocol/messages';
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { startCluster } from '../server/split/cluster-runner';
import { DEFAULT_LEASE_MS } from '../server/split/connection-process';
import { DEFAULT_PREFIX } from '../server/redis-store';
import { DEFAULT_PORT } from '../server/tcp-server';
import { helpText, oneOf, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'connection', kind: 'number', help: 'connection processes (they hold the client sockets)', default: 2 },
  { name: 'logic', kind: 'number', help: 'logic processes (login, storage, delivery)', default: 2 },
  { name: 'redis', kind: 'string', help: 'a running Redis to share (default: start a redis-server of its own on a free port)' },
  { name: 'port', kind: 'number', help: 'port of the first connection process, the others count up (0 = free ports)', default: DEFAULT_PORT },
  { name: 'host', kind: 'string', help: 'address the connection processes listen on', default: '127.0.0.1' },
  { name: 'protocol', kind: 'string', help: 'delivery protocol: queue or versioned', default: 'versioned' },
  { name: 'secret', kind: 'string', help: 'HMAC secret that login tokens are checked with', default: DEFAULT_SECRET },
  { name: 'redis-prefix', kind: 'string', help: 'prefix of imsim\'s keys in Redis', default: DEFAULT_PREFIX },
  { name: 'lease-ms', kind: 'number', help: 'a killed process is noticed (its work taken over) within about this', default: DEFAULT_LEASE_MS },
  { name: 'respawn', kind: 'boolean', help: 'start a process again when it dies (kill -9 one and watch)' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const CLUSTER_HELP = helpText(
  'npx imsim cluster [--connection N] [--logic M] [--redis URL] [--port P] [--respawn]',
  'Starts a split deployment on this machine: N `imsim serve --role connection` processes on ports\n' +
    'P, P+1, ... and M `imsim serve --role logic` processes, all sharing one Redis. Connect clients to\n' +
    'any connection process: a message from a client on one reaches a client on another (the logic\n' +
    'layer routes it to the process that holds the recipient). Prints every process with its pid;\n' +
    'each line a process prints is shown with its label. Ctrl-C stops everything it started.\n' +
    '\n' +
    'Things to try: kill -9 a logic process (clients stay connected, nothing is lost: its unfinished\n' +
    'requests are claimed by another within about --lease-ms); kill a connection process (its\n' +
    'clients reconnect; with --respawn it comes back on the same port). Keys and channels:\n' +
    'docs/cluster.md.',
  SPECS,
  [
    'npx imsim cluster                                 2 + 2 processes, redis-server on a free port',
    'npx imsim cluster --connection 3 --logic 2 --respawn',
    'npx imsim cluster --redis redis://127.0.0.1:6379 --port 0',
    'then, in two terminals:',
    '  npx imsim client --user alice --port 7379       (type: bob hello)',
    '  npx imsim client --user bob --port 7380',
  ],
);

export async function clusterCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(CLUSTER_HELP);
    return 0;
  }
  const protocol = oneOf(opts.protocol, PROTOCOLS, '--protocol');
  const secret = String(opts.secret);
  const out = (line: string) => process.stdout.write(line + '\n');
  let stopping = false;
  const cluster = await startCluster({
    connections: Number(opts.connection), logics: Number(opts.logic), protocol,
    redisUrl: opts.redis === undefined ? undefined : String(opts.redis), redisPrefix: String(opts['redis-prefix']),
    secret, host: String(opts.host), port: Number(opts.port), leaseMs: Number(opts['lease-ms']),
    respawn: Boolean(opts.respawn), log: (l) => !stopping && out(l),
  });
  const rows = [
    ...cluster.connections.map((p) => `  ${p.label.padEnd(9)} pid ${String(p.pid).padEnd(7)} ${String(opts.host)}:${p.port}  (connection process ${p.incarnation})`),
    ...cluster.logics.map((p) => `  ${p.label.padEnd(9)} pid ${String(p.pid).padEnd(7)} consumer ${p.incarnation}`),
  ];
  const first = cluster.connections[0].port;
  const second = cluster.connections[cluster.connections.length - 1].port;
  out(
    `\nimsim cluster: ${cluster.connections.length} connection + ${cluster.logics.length} logic processes, ${protocol} protocol, Redis at ${cluster.redisUrl}` +
      `${cluster.ownRedis ? ` (started here, pid ${cluster.ownRedis.pid})` : ''}\n${rows.join('\n')}\n` +
      `try:  npx imsim client --user alice --port ${first}      and   npx imsim client --user bob --port ${second}\n` +
      `      redis-cli -3 -p ${first} --user alice --pass ${makeToken('alice', secret)} --no-auth-warning\n` +
      `      kill -9 ${cluster.logics[0].pid}   (a logic process: clients stay connected, nothing is lost)\n` +
      'stop: Ctrl-C (stops every process above)\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stopping = true;
  out('npx imsim cluster: stopping...');
  await cluster.stop();
  out('npx imsim cluster: stopped');
  return 0;
}
