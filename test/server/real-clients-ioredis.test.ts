// ioredis 6 with its default settings (RESP3: HELLO 3 AUTH user token, CLIENT SETINFO x2, then the
// ready check reads INFO for loading:0) against the server, and with protocol: 2 (AUTH, RESP2).
//
// ioredis hands RESP3 push frames only to its pub/sub machinery: a push of another kind (imsim's
// msg-psh) is read and dropped, never surfaced to the application. So these tests check what a user
// of ioredis can rely on: the push frames do reach its socket, and they never get mixed up with
// command replies; a RESP2 connection is never sent one.
import Redis, { type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { until } from '../helpers/until';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ protocol: 'versioned', port: 0 });
});
afterAll(async () => {
  await server.close();
});

const clients: Redis[] = [];
function client(user: string, more: RedisOptions = {}): Redis {
  const r = new Redis({ host: '127.0.0.1', port: server.port, username: user, password: makeToken(user), ...more });
  clients.push(r);
  return r;
}
afterAll(() => {
  for (const c of clients) c.disconnect();
});

/** Everything the server wrote to this client's socket from now on. */
function tap(r: Redis): () => string {
  let got = '';
  r.stream.on('data', (d: Buffer) => (got += d.toString('latin1')));
  return () => got;
}

describe('ioredis, default settings (RESP3)', () => {
  it('connects, passes the ready check, sends and syncs', async () => {
    const alice = client('alice');
    await new Promise((r) => alice.once('ready', r));
    expect(alice.status).toBe('ready');
    expect(await alice.call('send', 'bob', 'c-1', 'hello bob')).toBe('OK');
    const bob = client('bob');
    expect(await bob.call('msg-sync', '0')).toEqual([['msg', 'v', '1', 'alice', 'c-1', 'hello bob']]);
    expect(await bob.call('msg-fin', 'v', '1')).toBe('OK');
  });

  it('receives msg-psh as a RESP3 push frame, and its replies stay in step', async () => {
    const carol = client('carol');
    await carol.call('msg-sync', '0'); // logged in and online
    const seen = tap(carol);
    const dave = client('dave');
    const pushesBefore = server.gateway.stats.pushes;
    for (let i = 1; i <= 5; i++) expect(await dave.call('send', 'carol', `c-${i}`, `m${i}`)).toBe('OK');
    await until('pushes written', () => (seen().match(/>2\r\n\$7\r\nmsg-psh\r\n/g) ?? []).length === 5);
    expect(server.gateway.stats.pushes - pushesBefore).toBe(5);
    // interleaved with pushes, every command still gets its own reply
    const replies = await Promise.all([carol.ping(), carol.call('msg-sync', '4'), carol.echo('after pushes'), carol.call('msg-fin', 'v', '5')]);
    expect(replies).toEqual(['PONG', [['msg', 'v', '5', 'dave', 'c-5', 'm5']], 'after pushes', 'OK']);
  });

  it('runs the handshake commands a user may send: CLIENT SETNAME/GETNAME, CONFIG GET, SELECT, ECHO, INFO, COMMAND', async () => {
    const r = client('erin');
    expect(await r.client('SETNAME', 'erin-phone')).toBe('OK');
    expect(await r.client('GETNAME')).toBe('erin-phone');
    expect(await r.config('GET', 'save')).toEqual(['save', '']); // a map, flattened by ioredis's legacy mapping
    expect(await r.select(0)).toBe('OK');
    expect(await r.echo('héllo 你好')).toBe('héllo 你好');
    expect(await r.info()).toContain('loading:0');
    const info = (await r.command('INFO', 'send')) as unknown[][];
    expect(info[0].slice(0, 2)).toEqual(['send', 4]);
    expect(await r.command('COUNT')).toBeGreaterThan(10);
  });

  it('pipelines 200 sends in one write; all stored, replies in order', async () => {
    const r = client('fay');
    await r.ping();
    const p = r.pipeline();
    for (let i = 0; i < 200; i++) p.call('send', 'gus', `c-${i}`, `n${i}`);
    p.call('msg-sync', '0');
    const out = (await p.exec())!;
    expect(out.slice(0, 200)).toEqual(Array.from({ length: 200 }, () => [null, 'OK']));
    const page = out[200][1] as string[][];
    expect(page).toEqual([]); // fay's own mailbox is empty
    const gus = client('gus');
    expect(await gus.call('msg-sync', '199')).toEqual([['msg', 'v', '200', 'fay', 'c-199', 'n199']]);
  });

  it('QUIT answers OK and ends the connection', async () => {
    const r = client('hal');
    await r.ping();
    const before = server.gateway.connections;
    expect(await r.quit()).toBe('OK');
    await until('closed by the server', () => server.gateway.connections === before - 1);
    await until('ended, not reconnecting', () => r.status === 'end');
  });

  it('a wrong password is refused (WRONGPASS) and the client says so', async () => {
    const r = new Redis({ host: '127.0.0.1', port: server.port, username: 'ida', password: 'not-her-token', lazyConnect: true, retryStrategy: () => null });
    clients.push(r);
    const errors: string[] = [];
    r.on('error', (e: Error) => errors.push(e.message));
    await expect(r.connect()).rejects.toThrow();
    expect(errors).toContain('WRONGPASS invalid username-password pair or user is disabled.');
  });
});

describe('ioredis, protocol: 2 (AUTH, RESP2)', () => {
  it('works, and is never sent a push frame', async () => {
    const jan = client('jan', { protocol: 2 });
    expect(await jan.call('msg-sync', '0')).toEqual([]);
    const seen = tap(jan);
    const kim = client('kim');
    const dropped = server.gateway.stats.pushesDropped;
    for (let i = 1; i <= 3; i++) await kim.call('send', 'jan', `c-${i}`, `m${i}`);
    await until('pushes to the RESP2 connection dropped', () => server.gateway.stats.pushesDropped - dropped === 3);
    expect(await jan.call('msg-sync', '0')).toHaveLength(3);
    expect(seen()).not.toContain('>');
    expect(seen()).not.toContain('msg-psh');
    expect(await jan.quit()).toBe('OK');
  });
});
