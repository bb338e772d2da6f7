// `imsim serve`: the real server on TCP, speaking RESP, with the embedded store or Redis.
import { PROTOCOLS } from '../protocol/messages';
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { DEFAULT_PREFIX, RedisStore } from '../server/redis-store';
import { DEFAULT_PORT, startServer, type RunningServer } from '../server/tcp-server';
import { UsageError, helpText, oneOf, parseArgs, type OptionSpec } from './args';
import { Monitor } from '../monitor';
import { siteBanner, startSite, type RunningSite } from '../server/http/site';

const SPECS: OptionSpec[] = [
  { name: 'port', kind: 'number', help: 'TCP port (0 = any free port)', default: DEFAULT_PORT },
  { name: 'host', kind: 'string', help: 'address to listen on', default: '127.0.0.1' },
  { name: 'protocol', kind: 'string', help: 'delivery protocol: queue or versioned', default: 'versioned' },
  { name: 'secret', kind: 'string', help: 'HMAC secret that login tokens are checked with', default: DEFAULT_SECRET },
  { name: 'redis', kind: 'string', help: 'keep mailboxes in Redis at this URL (redis://host:port) instead of the embedded store' },
  { name: 'redis-prefix', kind: 'string', help: 'prefix of imsim\'s keys in Redis', default: DEFAULT_PREFIX },
  { name: 'http', kind: 'number', help: 'also serve HTTP on this port (0 = any free port): media upload/download, /metrics, /dashboard' },
  { name: 'htime-ms', kind: 'number', help: 'a reply later than this after its request counts as a timeout (the deck\'s htime)', default: 500 },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const SERVE_HELP = helpText(
  'imsim serve [--port N] [--protocol queue|versioned] [--secret S] [--redis redis://host:port]',
  'Runs the connection layer and the logic layer in one process over real TCP. Mailboxes live in\n' +
    'the embedded store, or with --redis in Redis (a List per user for the queue protocol, a Sorted\n' +
    'Set by version plus an INCR counter for the versioned one; each store step one Lua script).\n' +
    'Any RESP client can talk to it; log in with AUTH <user> <token> (imsim token <user>).\n' +
    'Server pushes (msg-psh, msg-send) reach clients that said HELLO 3 (redis-cli -3).\n' +
    "The deck's monitoring (cmd, htime, cmdq, error, sessions, platforms, messages): STATS.",
  SPECS,
  [
    'imsim serve --port 7379',
    'imsim serve --redis redis://127.0.0.1:6379',
    'imsim serve --http 8080     then open http://127.0.0.1:8080/dashboard',
    'redis-cli -3 -p 7379 --user alice --pass "$(imsim token alice)"',
    '  > send bob c-1 "hello bob"      (then, as bob: msg-sync 0, msg-fin v 1)',
    'redis-cli -p 7379 stats sessions      (the deck\'s monitoring, INFO-like)',
  ],
);

export async function serveCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const protocol = oneOf(opts.protocol, PROTOCOLS, '--protocol');
  const secret = String(opts.secret);
  const htimeMs = Number(opts['htime-ms']);
  if (!(htimeMs >= 0)) throw new UsageError(`--htime-ms must be 0 or more, got ${opts['htime-ms']}`);
  const redisUrl = opts.redis === undefined ? undefined : String(opts.redis);
  const monitor = new Monitor();
  let server: RunningServer;
  try {
    server = await startServer({
      protocol, port: Number(opts.port), host: String(opts.host), secret, redisUrl, redisPrefix: String(opts['redis-prefix']),
      monitor, htimeUs: Math.round(htimeMs * 1000),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EADDRINUSE' ? `port ${opts.port} is in use: pick another with --port (0 = any free port)` : e.message;
    process.stderr.write(`imsim serve: ${why}\n`);
    return 1;
  }
  let site: RunningSite | null = null;
  if (opts.http !== undefined) {
    try {
      site = await startSite({ host: server.host, port: Number(opts.http), secret, monitor });
    } catch (err) {
      await server.close();
      const e = err as NodeJS.ErrnoException;
      process.stderr.write(`imsim serve: ${e.code === 'EADDRINUSE' ? `HTTP port ${opts.http} is in use: pick another with --http (0 = any free port)` : e.message}\n`);
      return 1;
    }
  }
  const where = server.store instanceof RedisStore ? `Redis at ${server.store.shownUrl}, keys ${server.store.prefix}*` : 'embedded store';
  const tok = makeToken('alice', secret);
  process.stdout.write(
    `imsim serving the ${protocol} protocol on ${server.host}:${server.port} (${where})\n` +
      `try: redis-cli -3 -p ${server.port} --user alice --pass ${tok} --no-auth-warning\n` +
      `     then: send bob c-1 "hello bob"   ·  tokens: imsim token <user>  ·  stop: Ctrl-C\n` +
      (site ? siteBanner(site) : ''),
  );
  await new Promise<void>((resolve) => {
    const stop = () => void Promise.all([server.close(), site?.close()]).then(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
