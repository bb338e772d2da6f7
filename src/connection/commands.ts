// Commands the connection layer answers itself (heartbeat, handshakes of stock Redis clients),
// which it forwards to the logic layer, and their arity. Replies copy Redis 7's wording, and
// COMMAND / COMMAND DOCS describe them the way Redis 7 does, so redis-cli shows imsim's commands
// in `help` and as hints while typing.
import { ReplyError, RespMap, SimpleString, type Reply } from '../wire';

/** One argument as COMMAND DOCS describes it (redis-cli turns these into hints: `send to cmid body`). */
export interface ArgDoc {
  name: string;
  type: 'string' | 'integer' | 'pure-token' | 'block';
  token?: string;
  optional?: boolean;
  multiple?: boolean;
  args?: ArgDoc[];
}

/** Where a command is handled, and how many arguments (after the name) it takes. */
export interface CommandSpec {
  where: 'gateway' | 'logic' | 'login';
  min: number;
  max: number; // Infinity for variadic
  preAuth: boolean; // served before login
  summary: string;
  group: 'connection' | 'server' | 'imsim';
  args: ArgDoc[];
}

const spec = (
  where: CommandSpec['where'], min: number, max: number, preAuth: boolean, group: CommandSpec['group'], summary: string,
  args: ArgDoc[] = [],
): CommandSpec => ({ where, min, max, preAuth, summary, group, args });

const str = (name: string, more: Partial<ArgDoc> = {}): ArgDoc => ({ name, type: 'string', ...more });
const int = (name: string, more: Partial<ArgDoc> = {}): ArgDoc => ({ name, type: 'integer', ...more });

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map([
  ['ping', spec('gateway', 0, 1, true, 'connection', 'Heartbeat: PONG, or the message', [str('message', { optional: true })])],
  ['echo', spec('gateway', 1, 1, true, 'connection', 'Echo the given string', [str('message')])],
  ['quit', spec('gateway', 0, Infinity, true, 'connection', 'Close the connection (after +OK)')],
  ['hello', spec('gateway', 0, Infinity, true, 'connection', 'Handshake: RESP2 or RESP3 (pushes need 3), optionally logging in', [
    { name: 'arguments', type: 'block', optional: true, args: [
      int('protover'),
      { name: 'auth', type: 'block', token: 'AUTH', optional: true, args: [str('username'), str('token')] },
      str('clientname', { token: 'SETNAME', optional: true }),
    ] },
  ])],
  ['auth', spec('login', 1, 2, true, 'connection', 'Log in as a user with its token (imsim token <user>)', [str('username', { optional: true }), str('token')])],
  ['command', spec('gateway', 0, Infinity, true, 'server', 'Describe the commands (COUNT, DOCS, INFO, LIST)')],
  ['config', spec('gateway', 1, Infinity, true, 'server', 'CONFIG GET: the few settings stock clients ask for')],
  ['client', spec('gateway', 1, Infinity, true, 'connection', 'CLIENT ID, GETNAME, SETNAME, SETINFO (also PLATFORM ios|eios|android|wp)')],
  ['info', spec('gateway', 0, Infinity, true, 'server', 'Server information (loading:0 for ready checks)', [str('section', { optional: true, multiple: true })])],
  ['select', spec('gateway', 1, 1, true, 'connection', 'Only database 0 exists', [int('index')])],
  ['stats', spec('gateway', 0, Infinity, true, 'server', "The deck's monitoring as INFO-like text: cmd, htime, cmdq, error, sessions, platforms, messages vs yesterday", [
    str('section', { optional: true, multiple: true }),
  ])],
  ['send', spec('logic', 3, 3, false, 'imsim', 'Send a message; +OK once stored (a retried cmid is stored once)', [str('to'), str('cmid'), str('body')])],
  ['msg-recv', spec('logic', 1, Infinity, false, 'imsim', 'Queue protocol: acknowledge pushed messages (deletes them)', [int('id', { multiple: true })])],
  ['msg-sync', spec('logic', 1, 1, false, 'imsim', 'Versioned protocol: the messages after a version, in order', [int('version')])],
  ['msg-fin', spec('logic', 2, 2, false, 'imsim', 'Versioned protocol: confirm the last version applied', [
    { name: 'v', type: 'pure-token', token: 'V' }, int('version'),
  ])],
]);

export const NOAUTH = new ReplyError('NOAUTH Authentication required.');
export const WRONGPASS = new ReplyError('WRONGPASS invalid username-password pair or user is disabled.');
export const NOPROTO = new ReplyError('NOPROTO unsupported protocol version');
export const NOT_AN_INTEGER = new ReplyError('ERR value is not an integer or out of range');

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

const status = (s: string) => new SimpleString(s);
const VERSION = '0.1.0';

function argDoc(a: ArgDoc): RespMap {
  const e: [Reply, Reply][] = [['name', a.name], ['type', a.type]];
  if (a.token) e.push(['token', a.token]);
  const flags = [...(a.optional ? ['optional'] : []), ...(a.multiple ? ['multiple'] : [])];
  if (flags.length) e.push(['flags', flags.map(status)]); // redis-cli wants flags as +status replies
  if (a.args) e.push(['arguments', a.args.map(argDoc)]);
  return new RespMap(e);
}

/** COMMAND DOCS [name ...]: a map of name -> docs; unknown names are left out, as Redis does. */
export function commandDocs(names: readonly string[]): RespMap {
  const wanted = names.length ? names.map((n) => n.toLowerCase()) : [...COMMANDS.keys()];
  const entries: [Reply, Reply][] = [];
  for (const name of wanted) {
    const s = COMMANDS.get(name);
    if (!s) continue;
    const doc: [Reply, Reply][] = [['summary', s.summary], ['since', VERSION], ['group', s.group], ['complexity', 'O(1)']];
    if (s.args.length) doc.push(['arguments', s.args.map(argDoc)]);
    entries.push([name, new RespMap(doc)]);
  }
  return new RespMap(entries);
}

/** COMMAND INFO entry: name, arity, flags, first/last key and step (none), ACL categories, tips, key specs, subcommands. */
export function commandInfo(name: string): Reply {
  const s = COMMANDS.get(name.toLowerCase());
  if (!s) return null;
  const arity = s.min === s.max ? s.min + 1 : -(s.min + 1);
  const flags = [...(s.preAuth ? ['no-auth', 'loading', 'stale'] : []), 'fast'].map(status);
  return [name.toLowerCase(), arity, flags, 0, 0, 0, [status(`@${s.group}`)], [], [], []];
}

/** COMMAND [COUNT | DOCS | INFO | LIST] */
export function commandCommand(args: readonly string[]): Reply {
  if (args.length === 1) return [...COMMANDS.keys()].map(commandInfo);
  const sub = args[1].toLowerCase();
  switch (sub) {
    case 'count':
      return args.length === 2 ? COMMANDS.size : wrongArity('command|count');
    case 'list':
      return [...COMMANDS.keys()];
    case 'docs':
      return commandDocs(args.slice(2));
    case 'info':
      return args.length === 2 ? [...COMMANDS.keys()].map(commandInfo) : args.slice(2).map(commandInfo);
    default:
      return unknownSubcommand(args[1], 'command');
  }
}
