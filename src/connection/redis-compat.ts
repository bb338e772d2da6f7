// What the connection layer answers so that stock Redis clients (redis-cli, redis-benchmark, ioredis,
// node-redis) connect and run: HELLO's options and reply, CLIENT, CONFIG GET, INFO, SELECT, and which
// commands echo their argument's bytes. Replies copy Redis 7's wording. Pure functions of the request
// and of the connection's few fields; the Gateway applies what they decide (commands.ts holds the
// command table and COMMAND / COMMAND DOCS).
import { ReplyError, RespMap, SimpleString, type Reply } from '../wire';
import type { Platform } from '../monitor/sink';
import { NOPROTO, NOT_AN_INTEGER, unknownSubcommand, wrongArity } from './commands';

export const OK = new SimpleString('OK');
const PLATFORM_NAMES: readonly Platform[] = ['ios', 'eios', 'android', 'wp'];

/** What CONFIG GET reports: no persistence to wait for (redis-benchmark asks save and appendonly), one database. */
const CONFIG: [string, string][] = [['save', ''], ['appendonly', 'no'], ['databases', '1']];

/** Redis's glob for CONFIG GET: `*`, `?` and literal characters (enough for parameter names). */
function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(s);
}

/** Redis's string2ll() over a string: no '+', no leading zeros, no "-0" (SELECT 00 is refused). */
const REDIS_INT = /^(0|-?[1-9]\d{0,18})$/;

/** ECHO and PING answer their argument's bytes unchanged, text or not (RequestDecoder.rawArg). */
export function echoesBytes(name: string): boolean {
  if (name.length !== 4) return false;
  // asked for each command with arguments: compared by hand, case-insensitively (c | 32 lowers a letter)
  const a = name.charCodeAt(0) | 32;
  const b = name.charCodeAt(1) | 32;
  const c = name.charCodeAt(2) | 32;
  const d = name.charCodeAt(3) | 32;
  return (a === 101 && b === 99 && c === 104 && d === 111) || (a === 112 && b === 105 && c === 110 && d === 103);
}

/** CLIENT SETNAME and HELLO ... SETNAME: the name Redis refuses, or null. */
function badClientName(name: string): ReplyError | null {
  return /^[!-~]*$/.test(name) ? null : new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.');
}

/** A HELLO request as parsed: the protocol asked for (null: keep the connection's), a login, a name. */
export interface Hello {
  proto: 2 | 3 | null;
  auth: { user: string; token: string } | null;
  name?: string;
}

/** HELLO [protover [AUTH user pass] [SETNAME name]]: what it asks for, or the error Redis answers (nothing changes then). */
export function parseHello(args: readonly string[]): Hello | ReplyError {
  let proto: 2 | 3 | null = null;
  let auth: Hello['auth'] = null;
  let name: string | undefined;
  if (args.length > 1) {
    const v = args[1];
    if (v !== '2' && v !== '3') return /^\d+$/.test(v) ? NOPROTO : new ReplyError('ERR Protocol version is not an integer or out of range');
    proto = v === '3' ? 3 : 2;
  }
  for (let i = 2; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    if (opt === 'auth' && i + 2 < args.length) {
      auth = { user: args[i + 1], token: args[i + 2] };
      i += 2;
    } else if (opt === 'setname' && i + 1 < args.length) {
      name = args[++i];
      const bad = badClientName(name);
      if (bad) return bad; // refused before any login or protocol switch
    } else {
      return new ReplyError(`ERR Syntax error in HELLO option '${args[i]}'`);
    }
  }
  return name === undefined ? { proto, auth } : { proto, auth, name };
}

/** HELLO's reply: the server and the connection's protocol and id. */
export function helloMap(serverName: string, resp: 2 | 3, connId: number): RespMap {
  return new RespMap([
    ['server', serverName], ['version', '7.0.0'], ['proto', resp], ['id', connId],
    ['mode', 'standalone'], ['role', 'master'], ['modules', []],
  ]);
}

/** INFO: what ready checks and clients look at (loading:0), with the gateway's id and its connections. */
export function info(gatewayId: number, connections: number): string {
  const lines = ['# Server', 'redis_version:7.0.0', `imsim_gateway:${gatewayId}`, 'redis_mode:standalone', '',
    '# Persistence', 'loading:0', '', '# Clients', `connected_clients:${connections}`, ''];
  return lines.join('\r\n');
}

/** SELECT index: one database, as in a cluster. */
export function select(args: readonly string[]): Reply {
  if (!REDIS_INT.test(args[1])) return NOT_AN_INTEGER;
  return Number(args[1]) === 0 ? OK : new ReplyError('ERR DB index is out of range');
}

/** CONFIG GET parameter [parameter ...] (glob patterns as Redis): what redis-benchmark asks before it starts. */
export function config(args: readonly string[]): Reply {
  if (args[1].toLowerCase() !== 'get') return unknownSubcommand(args[1], 'config');
  if (args.length < 3) return wrongArity('config|get');
  const patterns = args.slice(2).map((p) => p.toLowerCase());
  return new RespMap(CONFIG.filter(([key]) => patterns.some((p) => globMatch(p, key)))); // RESP2: a flat array
}

/** What CLIENT reads and changes on a connection. */
export interface ClientFields {
  readonly id: number;
  name: string;
}

/**
 * CLIENT ID | GETNAME | SETNAME name | SETINFO attr value. SETINFO PLATFORM (imsim's) declares the
 * client's platform through `setPlatform`; LIB-NAME / LIB-VER (Redis 7.2, sent by ioredis and
 * node-redis at connect) are accepted and ignored.
 */
export function client<C extends ClientFields>(c: C, args: readonly string[], setPlatform: (c: C, p: Platform) => void): Reply {
  const sub = args[1].toLowerCase();
  const n = args.length - 2;
  switch (sub) {
    case 'setinfo': {
      if (n !== 2) return wrongArity('client|setinfo');
      const attr = args[2].toLowerCase();
      if (attr === 'platform') {
        const p = args[3].toLowerCase() as Platform;
        if (!PLATFORM_NAMES.includes(p)) return new ReplyError(`ERR Unrecognized platform '${args[3]}': ios, eios, android or wp`);
        setPlatform(c, p);
        return OK;
      }
      if (!['lib-name', 'lib-ver'].includes(attr)) return new ReplyError(`ERR Unrecognized option '${args[2]}'`);
      return OK;
    }
    case 'setname': {
      if (n !== 1) return wrongArity('client|setname');
      const bad = badClientName(args[2]);
      if (bad) return bad;
      c.name = args[2];
      return OK;
    }
    case 'getname':
      return n === 0 ? c.name || null : wrongArity('client|getname');
    case 'id':
      return n === 0 ? c.id : wrongArity('client|id');
    default:
      return unknownSubcommand(args[1], 'client');
  }
}
