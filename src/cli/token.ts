// `imsim token <user>`: print the login token the server accepts for a user.
import { DEFAULT_SECRET, makeToken } from '../protocol/token';
import { UsageError, helpText, parseArgs, type OptionSpec } from './args';

const SPECS: OptionSpec[] = [
  { name: 'secret', kind: 'string', help: 'the secret the server was started with', default: DEFAULT_SECRET },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const TOKEN_HELP = helpText('npx imsim token <user> [--secret S]',
  'Prints the token for AUTH <user> <token> (HMAC-SHA256 of the user name with the server secret).', SPECS,
  ['redis-cli -p 7379 --user alice --pass "$(npx imsim token alice)"']);

export async function tokenCommand(argv: string[]): Promise<number> {
  const { opts, positional } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  if (positional.length !== 1) throw new UsageError('npx imsim token takes exactly one user name, e.g. npx imsim token alice');
  process.stdout.write(makeToken(positional[0], String(opts.secret)) + '\n');
  return 0;
}
