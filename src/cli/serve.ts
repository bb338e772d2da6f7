// `imsim serve`: the real server on TCP, speaking RESP, with the embedded store or Redis; or one
// role of a split deployment (--role connection | logic) sharing one Redis with the others.
import { PROTOCOLS, type ProtocolName } from '../protocol/messages';
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { DEFAULT_LEASE_MS, startConnectionProcess } from '../server/split/connection-process';
import { startLogicProcess } from '../server/split/logic-process';
import { DEFAULT_PREFIX, RedisStore } from '../server/redis-store';
import { DEFAULT_OUTPUT_BUFFER_BYTES, DEFAULT_PORT, startServer } from '../server/tcp-server';
import { DEFAULT_LOGIN_TIMEOUT_MS, type ConnectionGuards } from '../server/gateway-sockets';
import { DEFAULT_REPLY_LIMITS } from '../connection/reply-limits';
import { HEARTBEAT } from '../protocol/policies';
import { DEFAULT_SOCKET_BYTES, SLOW_CONSUMER_POLICIES, type OutputBufferOptions } from '../connection/gateway';
import { UsageError, helpText, oneOf, parseArgs, type OptionSpec } from './args';
import { Monitor } from '../monitor';
import { siteBanner, startSite, type RunningSite } from '../server/http/site';

/** The longest silence of a client heartbeat policy (interval, or an adaptive one's maximum), seconds. */
export const LONGEST_HEARTBEAT_S = Math.max(...Object.values(HEARTBEAT).map((p) => (p.kind === 'fixed' ? p.intervalUs : p.kind === 'adaptive' ? p.maxUs : 0))) / 1e6;
/** --idle-timeout's default: three of the longest heartbeat intervals (Mars's 10 min) of silence, as the simulator's scenario S10. */
export const DEFAULT_IDLE_TIMEOUT_S = 3 * LONGEST_HEARTBEAT_S;

export const ROLES = ['both', 'connection', 'logic'] as const;
/** --slow-consumer: the gateway's policies, or no bound (the gateway's default). */
export const SLOW_CONSUMER_CHOICES = ['unbounded', ...SLOW_CONSUMER_POLICIES] as const;
export type Role = (typeof ROLES)[number];

const SPECS: OptionSpec[] = [
  { name: 'role', kind: 'string', help: 'both (one process), or connection / logic (split; needs --redis)', default: 'both' },
  { name: 'port', kind: 'number', help: 'TCP port (0 = any free port); not for --role logic', default: DEFAULT_PORT },
  { name: 'host', kind: 'string', help: 'address to listen on', default: '127.0.0.1' },
  { name: 'protocol', kind: 'string', help: 'delivery protocol: queue or versioned (logic role and both)', default: 'versioned' },
  { name: 'secret', kind: 'string', help: 'HMAC secret that login tokens are checked with (the default is public: required with a --host other than loopback)', default: DEFAULT_SECRET },
  { name: 'redis', kind: 'string', help: 'Redis URL (redis://host:port): mailboxes, and for split roles the queue and routes' },
  { name: 'redis-prefix', kind: 'string', help: 'prefix of imsim\'s keys in Redis', default: DEFAULT_PREFIX },
  { name: 'http', kind: 'number', help: 'also serve HTTP on this port (0 = any free port): media upload/download, /metrics, /dashboard (one process only)' },
  { name: 'htime-ms', kind: 'number', help: 'a reply later than this after its request counts as a timeout (the deck\'s htime)', default: 500 },
  { name: 'slow-consumer', kind: 'string', help: 'pushes for a client that cannot keep up: unbounded, drop-newest, drop-oldest or disconnect (see below)', default: 'unbounded' },
  { name: 'output-buffer', kind: 'number', help: `bytes of pushes held per connection beyond its socket's ${DEFAULT_SOCKET_BYTES / 1024} KiB share, with a --slow-consumer policy (default: ${DEFAULT_OUTPUT_BUFFER_BYTES})` },
  { name: 'idle-timeout', kind: 'number', help: 'close a connection silent this many seconds (0 = never); above the longest client heartbeat (see below)', default: DEFAULT_IDLE_TIMEOUT_S },
  { name: 'login-timeout', kind: 'number', help: 'close a connection not logged in within this many seconds (0 = never)', default: DEFAULT_LOGIN_TIMEOUT_MS / 1000 },
  { name: 'max-connections', kind: 'number', help: 'client connections served at once; one more gets -ERR max number of clients reached (default: no limit)' },
  { name: 'lease-ms', kind: 'number', help: 'split roles: a killed process is noticed (its work taken over) within about this', default: DEFAULT_LEASE_MS },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const SERVE_HELP = helpText(
  'npx imsim serve [--port N] [--protocol queue|versioned] [--redis URL] [--role both|connection|logic]',
  'Runs the connection layer and the logic layer in one process over real TCP (--role both, the\n' +
    'default). Mailboxes live in the embedded store, or with --redis in Redis (a List per user for the\n' +
    'queue protocol, a Sorted Set by version plus an INCR counter for the versioned one; each store\n' +
    'step one Lua script). Any RESP client can talk to it; log in with AUTH <user> <token> (npx imsim token\n' +
    '<user>). Server pushes (msg-psh, msg-send) reach clients that said HELLO 3 (redis-cli -3).\n' +
    "The deck's monitoring (cmd, htime, cmdq, error, sessions, platforms, messages): STATS.\n" +
    '\n' +
    'Split deployment: any number of `--role connection` processes (they hold the client sockets)\n' +
    'and any number of `--role logic` processes (login, storage, delivery), all with the same --redis,\n' +
    '--redis-prefix and --secret. Requests go up through a Redis Stream; replies and pushes come back\n' +
    'only to the connection process that holds the connection. Kill a logic process (even kill -9)\n' +
    'and restart it whenever you like: clients stay connected and no request is lost. Restart a\n' +
    'connection process: its clients reconnect and, with the versioned protocol, lose nothing.\n' +
    '`npx imsim cluster` starts such a set on this machine. Keys and channels: docs/cluster.md.\n' +
    '\n' +
    'Slow consumers (--slow-consumer, --output-buffer; --role both and connection): the long connection\n' +
    'carries light real-time data only -- notices and short messages; media goes over HTTP, history over\n' +
    'sync -- so a client that stops reading (a phone on 2G, a stalled app) should not make the server hold\n' +
    `an ever-growing backlog for it. A push goes to the socket while it holds less than ${DEFAULT_SOCKET_BYTES / 1024} KiB unsent;\n` +
    'beyond that pushes wait in a buffer of --output-buffer bytes per connection, and what does not fit:\n' +
    '  drop-newest   the new push is dropped;\n' +
    '  drop-oldest   the oldest waiting pushes are dropped to make room;\n' +
    '  disconnect    the connection is cut (Redis: client-output-buffer-limit); its client reconnects.\n' +
    'Replies are never dropped. With the versioned protocol pushes are notices: a dropped one loses\n' +
    'nothing (the next sync fetches everything after the client\'s cursor). With the queue protocol a\n' +
    'push IS the message: a dropped one waits in the mailbox until the client logs in again. Without a\n' +
    'policy (unbounded, the default) nothing is dropped and the backlog grows with the flood, up to the\n' +
    'reply limit below, which cuts the connection. Counted in `stats slow-consumers` and /metrics\n' +
    '(imsim_slow_consumer_*_total); scenario S7 simulates it.\n' +
    '\n' +
    'Clients that do not play along (--role both and connection): a client that sends and never reads\n' +
    `is not read further while ${DEFAULT_REPLY_LIMITS.login.pauseBytes / 1024} KiB of its replies are unsent (${DEFAULT_REPLY_LIMITS.session.pauseBytes / 1024 / 1024} MiB once logged in) and is\n` +
    `cut past ${DEFAULT_REPLY_LIMITS.login.closeBytes / 1024} KiB (${DEFAULT_REPLY_LIMITS.session.closeBytes / 1024 / 1024} MiB), as Redis's client-output-buffer-limit; pushes under no --slow-consumer\n` +
    'policy count too. --login-timeout closes a connection that does not log in. --idle-timeout closes\n' +
    'a connection that has been silent so long its path is likely dead (a half-open connection never\n' +
    'says goodbye), so its session and route go with it. Its default is three times the longest client\n' +
    `heartbeat interval (${LONGEST_HEARTBEAT_S / 60} min, WeChat Mars's ceiling; imsim client beats every 30 s, the load\n` +
    'generator every 270 s): no heartbeating client is cut. A client with no heartbeat (redis-cli left\n' +
    'idle) is; use --idle-timeout 0 to keep such connections forever.\n' +
    '\n' +
    'A --host other than loopback needs --secret: the default secret is public.',
  SPECS,
  [
    'npx imsim serve --port 7379',
    'npx imsim serve --redis redis://127.0.0.1:6379',
    'npx imsim serve --http 8080     then open http://127.0.0.1:8080/dashboard',
    'redis-cli -3 -p 7379 --user alice --pass "$(npx imsim token alice)"',
    '  > send bob c-1 "hello bob"      (then, as bob: msg-sync 0, msg-fin v 1)',
    'redis-cli -p 7379 stats sessions      (the deck\'s monitoring, INFO-like)',
    'npx imsim serve --slow-consumer drop-oldest --output-buffer 4096',
    '',
    'split, by hand (or: npx imsim cluster --connection 2 --logic 2):',
    'npx imsim serve --role logic --redis redis://127.0.0.1:6379 &',
    'npx imsim serve --role logic --redis redis://127.0.0.1:6379 &',
    'npx imsim serve --role connection --port 7379 --redis redis://127.0.0.1:6379 &',
    'npx imsim serve --role connection --port 7380 --redis redis://127.0.0.1:6379 &',
  ],
);

/** Resolves when the process is told to stop (Ctrl-C, SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function explain(err: unknown, port: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port (0 = any free port)` : e.message;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const role = oneOf(opts.role, ROLES, '--role');
  const protocol = oneOf(opts.protocol, PROTOCOLS, '--protocol');
  const secret = String(opts.secret);
  const redisUrl = opts.redis === undefined ? undefined : String(opts.redis);
  const redisPrefix = String(opts['redis-prefix']);
  const htimeMs = Number(opts['htime-ms']);
  if (!(htimeMs >= 0)) throw new UsageError(`--htime-ms must be 0 or more, got ${opts['htime-ms']}`);
  if (role !== 'both' && opts.http !== undefined) {
    throw new UsageError(`--http serves one process's media and monitoring; it is not available with --role ${role} yet`);
  }
  const output = outputBuffer(opts, role);
  const guards = connectionGuards(opts, role);
  if (role !== 'logic' && secret === DEFAULT_SECRET && !isLoopback(String(opts.host))) {
    throw new UsageError(
      `--host ${String(opts.host)} is reachable from other machines, and the default secret is public: anyone could log in as anyone.\n` +
        `Pass --secret <a long random string> (e.g. --secret "$(openssl rand -hex 32)"), the same to every process of a deployment,\n` +
        'and make tokens with it (npx imsim token <user> --secret ...); or listen on 127.0.0.1.',
    );
  }
  if (role !== 'both' && !redisUrl) {
    throw new UsageError(`--role ${role} needs --redis redis://host:port: the processes of a split deployment meet in Redis (npx imsim cluster starts a set with a Redis of its own)`);
  }
  try {
    if (role === 'connection') return await serveConnection(redisUrl!, redisPrefix, output, guards, opts);
    if (role === 'logic') return await serveLogic(redisUrl!, redisPrefix, protocol, secret, opts);
    return await serveBoth(protocol, secret, redisUrl, redisPrefix, Math.round(htimeMs * 1000), output, guards, opts);
  } catch (err) {
    process.stderr.write(`imsim serve: ${explain(err, opts.port)}\n`);
    return 1;
  }
}

/** An address only this machine can reach: localhost, 127.0.0.0/8, ::1 (IPv4-mapped too). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** --slow-consumer and --output-buffer as the gateway's output buffer (undefined: unbounded). */
function outputBuffer(opts: Record<string, unknown>, role: Role): OutputBufferOptions | undefined {
  const policy = oneOf(opts['slow-consumer'], SLOW_CONSUMER_CHOICES, '--slow-consumer');
  const limit = opts['output-buffer'];
  if (role === 'logic' && (policy !== 'unbounded' || limit !== undefined)) {
    throw new UsageError('--slow-consumer and --output-buffer bound what a process holding client connections keeps for them: use them with --role both or connection');
  }
  if (policy === 'unbounded') {
    if (limit !== undefined) throw new UsageError(`--output-buffer bounds pushes under a policy: add --slow-consumer ${SLOW_CONSUMER_POLICIES.join('|')}`);
    return undefined;
  }
  const limitBytes = limit === undefined ? DEFAULT_OUTPUT_BUFFER_BYTES : Number(limit);
  if (!Number.isInteger(limitBytes) || limitBytes < 0) throw new UsageError(`--output-buffer takes a whole number of bytes, 0 or more; got ${String(limit)}`);
  return { policy, limitBytes };
}

/** --idle-timeout, --login-timeout, --max-connections as the sockets' guards. */
function connectionGuards(opts: Record<string, unknown>, role: Role): ConnectionGuards {
  const seconds = (name: string): number => {
    const v = Number(opts[name]);
    if (!(v >= 0) || !Number.isFinite(v)) throw new UsageError(`--${name} takes seconds, 0 (never) or more; got ${String(opts[name])}`);
    return Math.round(v * 1000);
  };
  const idleMs = seconds('idle-timeout');
  const loginTimeoutMs = seconds('login-timeout');
  const max = opts['max-connections'];
  if (max !== undefined && (!Number.isInteger(Number(max)) || Number(max) < 1)) {
    throw new UsageError(`--max-connections takes a whole number, 1 or more; got ${String(max)}`);
  }
  if (role === 'logic' && max !== undefined) throw new UsageError('--max-connections limits a process holding client connections: use it with --role both or connection');
  return { idleMs, loginTimeoutMs, ...(max === undefined ? {} : { maxConnections: Number(max) }) };
}

/** The banner's line about the connection guards. */
function guardsLine(g: ConnectionGuards): string {
  const s = (ms: number | undefined) => (ms ? `${ms / 1000} s` : 'never');
  return `connections: closed when silent ${s(g.idleMs)}, when not logged in ${s(g.loginTimeoutMs)}; at most ${g.maxConnections ?? 'unlimited'}\n`;
}

/** The banner's line about slow consumers. */
function outputLine(output: OutputBufferOptions | undefined, counted: string): string {
  return output
    ? `slow consumers: ${output.policy} beyond ${output.limitBytes} B of pushes held per connection (${counted})\n`
    : 'slow consumers: unbounded (pick a policy with --slow-consumer)\n';
}

async function serveBoth(
  protocol: ProtocolName, secret: string, redisUrl: string | undefined, redisPrefix: string, htimeUs: number,
  output: OutputBufferOptions | undefined, guards: ConnectionGuards, opts: Record<string, unknown>,
): Promise<number> {
  const monitor = new Monitor();
  const server = await startServer({ protocol, port: Number(opts.port), host: String(opts.host), secret, redisUrl, redisPrefix, monitor, htimeUs, output, ...guards });
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
      `     then: send bob c-1 "hello bob"   ·  tokens: npx imsim token <user>  ·  stop: Ctrl-C\n` +
      outputLine(output, 'counted in: stats slow-consumers') +
      guardsLine(guards) +
      (site ? siteBanner(site) : ''),
  );
  await untilStopped();
  await Promise.all([server.close(), site?.close()]);
  return 0;
}

async function serveConnection(
  redisUrl: string, redisPrefix: string, output: OutputBufferOptions | undefined, guards: ConnectionGuards, opts: Record<string, unknown>,
): Promise<number> {
  const p = await startConnectionProcess({
    redisUrl, redisPrefix, host: String(opts.host), port: Number(opts.port), leaseMs: Number(opts['lease-ms']), output, ...guards,
  });
  process.stdout.write(
    `imsim connection process ${p.id} (pid ${process.pid}) serving on ${p.host}:${p.port} (Redis at ${p.redisShown}, keys ${redisPrefix}*)\n` +
      `requests go up through ${redisPrefix}up; answers come back on ${redisPrefix}gw:${p.id}:down  ·  stop: Ctrl-C\n` +
      outputLine(output, 'counted in the process\'s gateway stats') +
      guardsLine(guards),
  );
  await untilStopped();
  await p.close();
  return 0;
}

async function serveLogic(redisUrl: string, redisPrefix: string, protocol: ProtocolName, secret: string, opts: Record<string, unknown>): Promise<number> {
  const p = await startLogicProcess({ redisUrl, redisPrefix, protocol, secret, leaseMs: Number(opts['lease-ms']) });
  process.stdout.write(
    `imsim logic process ${p.name} (pid ${process.pid}) running the ${protocol} protocol (Redis at ${p.store.shownUrl}, keys ${redisPrefix}*)\n` +
      `reading ${redisPrefix}up as consumer ${p.name} of group logic  ·  stop: Ctrl-C\n`,
  );
  await untilStopped();
  await p.close();
  return 0;
}
