// The handshake surface of design.md section 3, byte for byte against the oracle: the same requests
// go to imsim and to a redis-server this file starts, and the replies must be identical, except
// where imsim differs on purpose (listed in DIFFERENT below). Then what only imsim has: HELLO 3
// AUTH user token, QUIT stopping everything after it, and push frames only for RESP3 connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { NEED_MORE, ReplyDecoder, RespMap, type Reply } from '../../src/wire';
import { exchange } from '../helpers/raw-exchange';
import { useRedisServer } from '../helpers/redis-server';
import { until } from '../helpers/until';
import * as net from 'node:net';

const redis = useRedisServer();
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ protocol: 'versioned', port: 0 });
});
afterAll(async () => {
  await server.close();
});

/** Inline requests, then QUIT (so both servers close and the exchange needs no timer). */
const session = (lines: string[]) => `${lines.join('\r\n')}\r\nQUIT\r\n`;

// Each group runs on one connection, in order, on both servers.
const SAME: [string, string[]][] = [
  ['PING and ECHO', ['PING', 'PING hello', 'PING a b', 'ECHO "two words"', 'ECHO', 'echo x y', 'pInG']],
  ['SELECT', ['SELECT 0', 'SELECT x', 'SELECT 00', 'SELECT -0', 'SELECT -1', 'SELECT 99999999999999999999', 'SELECT']],
  ['HELLO errors', ['HELLO 4', 'HELLO x', 'HELLO 3 AUTH', 'HELLO 3 AUTH u', 'HELLO 3 SETNAME', 'HELLO 2 foo', 'HELLO 3 SETNAME "a b"', 'HELLO 1']],
  ['CLIENT', ['CLIENT SETNAME "a b"', 'CLIENT GETNAME', 'CLIENT SETNAME phone-1', 'CLIENT GETNAME', 'CLIENT', 'CLIENT FOO', 'CLIENT SETNAME', 'CLIENT ID x', 'CLIENT GETNAME x']],
  ['CONFIG', ['CONFIG GET save', 'CONFIG GET appendonly', 'CONFIG GET nosuch*', 'CONFIG GET', 'CONFIG FOO', 'CONFIG']],
  ['COMMAND', ['COMMAND FOO', 'COMMAND COUNT x', 'COMMAND DOCS nosuch', 'COMMAND INFO nosuch', 'COMMAND DOCS nosuch other']],
  ['unknown commands', ['nosuch', 'nosuch a "b c"', `x${'y'.repeat(200)} ${'z'.repeat(200)}`]],
  ['QUIT stops the connection: nothing after it runs', ['PING', 'QUIT', 'PING']],
];

// Where imsim answers differently on purpose.
const DIFFERENT: [string, string, string][] = [
  ['SELECT 1', '-ERR DB index is out of range\r\n', 'one database, as in a cluster'],
  ['CONFIG GET databases', '*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n', 'one database'],
  ['CLIENT SETINFO lib-name x', '+OK\r\n', 'Redis 7.2 behaviour (ioredis and node-redis send it); the oracle here is 7.0'],
];

describe('handshake commands: identical to redis-server', () => {
  it.each(SAME)('%s', async (_name, lines) => {
    const [imsim, oracle] = await Promise.all([exchange(server.port, session(lines)), exchange(redis.server.port, session(lines))]);
    expect(oracle.closed).toBe(true);
    expect(imsim).toEqual(oracle);
  });

  it.each(DIFFERENT)('%s differs on purpose: %j (%s)', async (line, imsimReply) => {
    const [imsim, oracle] = await Promise.all([exchange(server.port, session([line])), exchange(redis.server.port, session([line]))]);
    expect(imsim.text).toBe(`${imsimReply}+OK\r\n`);
    expect(oracle.text).not.toBe(imsim.text);
  });

  it('HELLO 2 and HELLO 3 answer the same fields, of the same types, as Redis (server, version and id aside)', async () => {
    const lines = ['HELLO 3', 'HELLO', 'HELLO 2', 'HELLO 3 SETNAME app', 'CLIENT GETNAME'];
    const [imsim, oracle] = await Promise.all([exchange(server.port, session(lines)), exchange(redis.server.port, session(lines))]);
    const mask = (s: string) => s
      .replace(/(\$6\r\nserver\r\n)\$\d+\r\n\w+\r\n/g, '$1<server>')
      .replace(/(\$7\r\nversion\r\n)\$\d+\r\n[\d.]+\r\n/g, '$1<version>')
      .replace(/(\$2\r\nid\r\n):\d+\r\n/g, '$1<id>');
    expect(mask(imsim.text)).toBe(mask(oracle.text));
    expect(imsim.text).toContain('%7\r\n'); // HELLO 3: a RESP3 map
    expect(imsim.text).toContain('*14\r\n'); // HELLO 2: a flat array
  });

  it('INFO has what ready checks look for', async () => {
    const r = await exchange(server.port, session(['INFO', 'INFO server']));
    expect(r.text).toMatch(/redis_version:\d+\.\d+\.\d+\r\n/);
    expect(r.text).toContain('loading:0\r\n');
  });
});

/** A logged-in raw connection that decodes what it receives, to see every frame the server sends. */
async function rawClient(user: string, hello: 2 | 3) {
  const s = net.connect(server.port, '127.0.0.1');
  const dec = new ReplyDecoder();
  const got: { reply: Reply; bytes: string }[] = [];
  let raw = '';
  s.on('data', (d) => {
    raw += d.toString('latin1');
    dec.push(d);
    for (let r = dec.next(); r !== NEED_MORE; r = dec.next()) got.push({ reply: r, bytes: raw });
  });
  s.write(`HELLO ${hello} AUTH ${user} ${makeToken(user)}\r\n`);
  await until('logged in', () => got.length === 1);
  return { s, got, raw: () => raw };
}

describe('what only imsim has', () => {
  it('HELLO 3 AUTH user token logs in and switches to RESP3 in one step; a bad token leaves both undone', async () => {
    const bad = await exchange(server.port, session(['HELLO 3 AUTH lea wrong', 'msg-sync 0', 'HELLO']));
    expect(bad.text).toMatch(/^-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n\*14\r\n/);
    const ok = await exchange(server.port, session([`HELLO 3 AUTH lea ${makeToken('lea')}`, 'msg-sync 0']));
    expect(ok.text).toMatch(/^%7\r\n[\s\S]*\$5\r\nproto\r\n:3\r\n[\s\S]*\*0\r\n\+OK\r\n$/);
  });

  it('nothing after QUIT runs: a send behind it is not stored', async () => {
    const login = `AUTH max ${makeToken('max')}`;
    const r = await exchange(server.port, `${login}\r\nQUIT\r\nsend ned c-after-quit lost\r\n`);
    expect(r).toEqual({ text: '+OK\r\n+OK\r\n', closed: true });
    const ned = await exchange(server.port, session([`AUTH ned ${makeToken('ned')}`, 'msg-sync 0']));
    expect(ned.text).toBe('+OK\r\n*0\r\n+OK\r\n');
  });

  it('a RESP3 connection gets msg-psh as a > push frame; a RESP2 one gets no unsolicited frame at all', async () => {
    const r3 = await rawClient('ola', 3);
    const r2 = await rawClient('pam', 2);
    const sender = await rawClient('quu', 2);
    const dropped = server.gateway.stats.pushesDropped;
    sender.s.write('send ola c-1 hi\r\nsend pam c-1 hi\r\n');
    await until('both stored', () => sender.got.length === 3);
    await until('push to ola', () => r3.got.length === 2);
    expect(r3.got[1].reply).toEqual(expect.objectContaining({ items: ['msg-psh', '1'] }));
    expect(r3.raw()).toMatch(/>2\r\n\$7\r\nmsg-psh\r\n\$1\r\n1\r\n$/);
    await until('push to pam dropped', () => server.gateway.stats.pushesDropped === dropped + 1);
    r2.s.write('PING\r\n');
    await until('pong', () => r2.got.length === 2);
    expect(r2.got.map((g) => g.reply).slice(1)).toEqual(['PONG']); // the very next frame is the reply
    expect(r2.got[0].reply).toBeInstanceOf(Array); // HELLO 2's map, flattened
    for (const c of [r3, r2, sender]) c.s.destroy();
  });

  it('HELLO 3 maps are RESP maps (not flat arrays) to the decoder', async () => {
    const r3 = await rawClient('rey', 3);
    expect(r3.got[0].reply).toBeInstanceOf(RespMap);
    r3.s.destroy();
  });
});
