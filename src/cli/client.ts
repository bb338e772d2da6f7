// `imsim client`: a terminal IM client over real TCP, running the same ImClient as the simulator.
import * as readline from 'node:readline';
import { PROTOCOLS } from '../protocol/messages';
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { HEARTBEAT, RECONNECT } from '../protocol/policies';
import { newIncarnation } from '../server/incarnation';
import { probeServer } from '../server/load/probe';
import { tcpClient } from '../server/tcp-client';
import { DEFAULT_PORT } from '../server/tcp-server';
import { UsageError, helpText, oneOf, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'user', kind: 'string', help: 'who you are (required)' },
  { name: 'port', kind: 'number', help: 'server port', default: DEFAULT_PORT },
  { name: 'host', kind: 'string', help: 'server address', default: '127.0.0.1' },
  { name: 'protocol', kind: 'string', help: 'must match the server: queue or versioned', default: 'versioned' },
  { name: 'token', kind: 'string', help: 'login token (default: derived from --secret)' },
  { name: 'secret', kind: 'string', help: 'server secret, to derive the token', default: DEFAULT_SECRET },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const CLIENT_HELP = helpText(
  'npx imsim client --user NAME [--port N] [--protocol queue|versioned]',
  'Logs in and lets you chat from the terminal. Type `<to> <message>` to send, `/quit` to leave.\n' +
    'Received messages print as they are applied; the client heartbeats and reconnects by itself.',
  SPECS,
  ['npx imsim client --user alice', '  bob hello there'],
);

export async function clientCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(CLIENT_HELP);
    return 0;
  }
  if (!opts.user) throw new UsageError('--user is required, e.g. npx imsim client --user alice');
  const user = String(opts.user);
  const protocol = oneOf(opts.protocol, PROTOCOLS, '--protocol');
  const token = opts.token ? String(opts.token) : makeToken(user, String(opts.secret));
  const host = String(opts.host);
  const port = Number(opts.port);
  const loginHint = tokenHint(user);
  // Is a server there, does it take this login, does it run this protocol? Told at once, not retried forever.
  await probeServer({ host, port, user, token, protocol, loginHint });
  const say = (s: string) => process.stdout.write(s + '\n');
  let refused = false;
  const client = tcpClient(
    { user, token, protocol, incarnation: newIncarnation(), heartbeat: HEARTBEAT['fixed-30s'], reconnect: RECONNECT.exponential },
    { host, port },
    {
      applied: (m) => say(`[${m.from}] ${m.body}`),
      acked: (cmid) => say(`  (stored: ${cmid})`),
      retrying: (cmid, error, delayUs) => say(`  (not stored yet: ${error}; sending ${cmid} again in ${(delayUs / 1e6).toFixed(1)} s)`),
      rejected: (cmid, error) => say(`  (NOT sent: ${cmid} refused by the server: ${error})`),
      state: (s, why) => {
        say(`  -- ${s} (${why})`);
        if (s === 'stopped' && /login refused/.test(why)) {
          // The same token would be refused again: stop, and say where a good one comes from.
          refused = true;
          process.stderr.write(`imsim client: the server refused the login of ${user}: ${loginHint}\n`);
          rl.close();
        }
      },
    },
  );
  const rl = readline.createInterface({ input: process.stdin });
  client.start();
  for await (const line of rl) {
    const text = line.trim();
    if (!text) continue;
    if (text === '/quit') break;
    const sp = text.indexOf(' ');
    if (sp < 0) {
      say('  type `<to> <message>`, or /quit');
      continue;
    }
    client.send(text.slice(0, sp), text.slice(sp + 1));
  }
  client.stop();
  return refused ? 1 : 0;
}

/** Where the token for `user` comes from (the default secret, or the one the server was started with). */
export function tokenHint(user: string): string {
  return `the token for ${user} is \`npx imsim token ${user}\`; if the server was started with --secret S, pass --secret S here ` +
    `(or --token "$(npx imsim token ${user} --secret S)")`;
}
