// `imsim serve`: the real server on TCP, speaking RESP, with the embedded store.
import { PROTOCOLS } from '../protocol/messages';
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { DEFAULT_PORT, startServer } from '../server/tcp-server';
import { helpText, oneOf, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'port', kind: 'number', help: 'TCP port (0 = any free port)', default: DEFAULT_PORT },
  { name: 'host', kind: 'string', help: 'address to listen on', default: '127.0.0.1' },
  { name: 'protocol', kind: 'string', help: 'delivery protocol: queue or versioned', default: 'versioned' },
  { name: 'secret', kind: 'string', help: 'HMAC secret that login tokens are checked with', default: DEFAULT_SECRET },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const SERVE_HELP = helpText(
  'imsim serve [--port N] [--protocol queue|versioned] [--secret S]',
  'Runs the connection layer and the logic layer in one process over real TCP, with the embedded\n' +
    'store. Any RESP client can talk to it; log in with AUTH <user> <token> (imsim token <user>).\n' +
    'Server pushes (msg-psh, msg-send) reach clients that said HELLO 3 (redis-cli -3).',
  SPECS,
  [
    'imsim serve --port 7379',
    'redis-cli -3 -p 7379 --user alice --pass "$(imsim token alice)"',
    '  > send bob c-1 "hello bob"      (then, as bob: msg-sync 0, msg-fin v 1)',
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
  const server = await startServer({ protocol, port: Number(opts.port), host: String(opts.host), secret });
  const tok = makeToken('alice', secret);
  process.stdout.write(
    `imsim serving the ${protocol} protocol on ${server.host}:${server.port} (embedded store)\n` +
      `try: redis-cli -3 -p ${server.port} --user alice --pass ${tok} --no-auth-warning\n` +
      `     then: send bob c-1 "hello bob"   ·  tokens: imsim token <user>  ·  stop: Ctrl-C\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
