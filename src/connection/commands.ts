// Commands the connection layer answers itself (heartbeat, handshakes of stock Redis clients),
// which it forwards to the logic layer, and their arity. Replies copy Redis 7's wording.
import { ReplyError } from '../wire';

/** Where a command is handled, and how many arguments (after the name) it takes. */
export interface CommandSpec {
  where: 'gateway' | 'logic' | 'login';
  min: number;
  max: number; // Infinity for variadic
  preAuth: boolean; // served before login
}

const spec = (where: CommandSpec['where'], min: number, max: number, preAuth: boolean): CommandSpec => ({
  where, min, max, preAuth,
});

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([
  ['ping', spec('gateway', 0, 1, true)],
  ['echo', spec('gateway', 1, 1, true)],
  ['quit', spec('gateway', 0, Infinity, true)],
  ['hello', spec('gateway', 0, Infinity, true)],
  ['auth', spec('login', 1, 2, true)],
  ['command', spec('gateway', 0, Infinity, true)],
  ['config', spec('gateway', 1, Infinity, true)],
  ['client', spec('gateway', 1, Infinity, true)],
  ['info', spec('gateway', 0, Infinity, true)],
  ['select', spec('gateway', 1, 1, true)],
  ['send', spec('logic', 3, 3, false)],
  ['msg-recv', spec('logic', 1, Infinity, false)],
  ['msg-sync', spec('logic', 1, 1, false)],
  ['msg-fin', spec('logic', 2, 2, false)],
]);

export const NOAUTH = new ReplyError('NOAUTH Authentication required.');
export const WRONGPASS = new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
export const NOPROTO = new ReplyError('NOPROTO unsupported protocol version');

export function wrongArity(name: string): ReplyError {
  return new ReplyError(`ERR wrong number of arguments for '${name}' command`);
}

/** Redis 7: "ERR unknown command 'x', with args beginning with: 'a' 'b' " (each arg quoted, then a space). */
export function unknownCommand(args: readonly string[]): ReplyError {
  const shown = args.slice(1).map((a) => `'${a.slice(0, 128)}' `).join('');
  return new ReplyError(`ERR unknown command '${args[0].slice(0, 128)}', with args beginning with: ${shown}`);
}

export function unknownSubcommand(sub: string, cmd: string): ReplyError {
  return new ReplyError(`ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${cmd.toUpperCase()} HELP.`);
}
