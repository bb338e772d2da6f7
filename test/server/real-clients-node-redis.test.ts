// node-redis 6 (the `redis` package) with its default settings against the server: RESP3 (HELLO 3
// AUTH user token, CLIENT SETINFO x2, CLIENT MAINT_NOTIFICATIONS, which imsim, like Redis 7.0, does
// not know and the client ignores), and with RESP: 2 (AUTH, CLIENT SETINFO).
//
// node-redis keeps RESP3 pushes to itself (pub/sub, client-side caching and maintenance
// notifications; the hook is private), so a user of it cannot see imsim's msg-psh. These tests check
// that the pushes are written to its connection as push frames (the server's count) without
// disturbing its replies, and that a RESP2 connection is sent none.
import { createClient, type RedisClientType } from 'redis';
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

type Client = RedisClientType<any, any, any, 2 | 3, any>;
const open: Client[] = [];
afterAll(() => {
  for (const c of open) if (c.isOpen) c.destroy();
});

/** A client logged in through the URL (redis://user:token@host:port), connected. */
async function connect(user: string, resp?: 2 | 3): Promise<Client> {
  const url = `redis://${user}:${makeToken(user)}@127.0.0.1:${server.port}`;
  const c = (resp ? createClient({ url, RESP: resp }) : createClient({ url })) as Client;
  c.on('error', () => {}); // errors are asserted where expected
  open.push(c);
  await c.connect();
  return c;
}

describe('node-redis, default settings (RESP3)', () => {
  it('connects with user and token, sends and syncs', async () => {
    const ann = await connect('ann');
    expect(await ann.ping()).toBe('PONG');
    expect(await ann.sendCommand(['send', 'ben', 'c-1', 'hello ben'])).toBe('OK');
    const ben = await connect('ben');
    expect(await ben.sendCommand(['msg-sync', '0'])).toEqual([['msg', 'v', '1', 'ann', 'c-1', 'hello ben']]);
    expect(await ben.sendCommand(['msg-fin', 'v', '1'])).toBe('OK');
  });

  it('is sent msg-psh as push frames and its replies stay in step', async () => {
    const cat = await connect('cat');
    await cat.sendCommand(['msg-sync', '0']);
    const dan = await connect('dan');
    const before = server.gateway.stats.pushes;
    for (let i = 1; i <= 5; i++) await dan.sendCommand(['send', 'cat', `c-${i}`, `m${i}`]);
    // cat is the only connection of user cat: each stored message pushed one frame to it
    await until('pushes written', () => server.gateway.stats.pushes - before === 5);
    const replies = await Promise.all([
      cat.ping(), cat.sendCommand(['msg-sync', '4']), cat.echo('still in step'), cat.sendCommand(['msg-fin', 'v', '5']),
    ]);
    expect(replies).toEqual(['PONG', [['msg', 'v', '5', 'dan', 'c-5', 'm5']], 'still in step', 'OK']);
  });

  it('its typed commands parse imsim replies: CLIENT SETNAME/GETNAME/ID, CONFIG GET, SELECT, ECHO, INFO, COMMAND, HELLO', async () => {
    const c = await connect('eve');
    expect(await c.clientSetName('eve-laptop')).toBe('OK');
    expect(await c.clientGetName()).toBe('eve-laptop');
    expect(await c.clientId()).toBeGreaterThan(0);
    expect(await c.configGet('save')).toEqual({ save: '' });
    await c.select(0); // resolves (OK)
    expect(await c.echo('héllo 你好')).toBe('héllo 你好');
    expect(await c.info()).toContain('loading:0');
    expect(await c.commandCount()).toBeGreaterThan(10);
    expect(await c.commandList()).toEqual(expect.arrayContaining(['send', 'msg-sync', 'msg-fin', 'hello']));
    const [send] = await c.commandInfo(['send']);
    expect(send).toMatchObject({ name: 'send', arity: 4, isKeyless: true });
    const docs = (await c.sendCommand(['COMMAND', 'DOCS', 'msg-sync'])) as Record<string, Record<string, unknown>>;
    expect(docs['msg-sync'].group).toBe('imsim');
    expect(await c.hello(3)).toMatchObject({ server: 'imsim', proto: 3, mode: 'standalone' });
  });

  it('QUIT ends the connection after OK; a wrong token is refused with WRONGPASS', async () => {
    const c = await connect('fox');
    const before = server.gateway.connections;
    expect(await c.quit()).toBe('OK');
    await until('closed', () => server.gateway.connections === before - 1);
    expect(c.isOpen).toBe(false);
    const bad = createClient({ url: `redis://fox:wrong@127.0.0.1:${server.port}`, socket: { reconnectStrategy: false } });
    bad.on('error', () => {});
    await expect(bad.connect()).rejects.toThrow(/WRONGPASS/);
  });
});

describe('node-redis, RESP: 2', () => {
  it('works, and is sent no push frames', async () => {
    const gil = await connect('gil', 2);
    expect(await gil.sendCommand(['msg-sync', '0'])).toEqual([]);
    const hal = await connect('hal', 2);
    const [pushes, dropped] = [server.gateway.stats.pushes, server.gateway.stats.pushesDropped];
    for (let i = 1; i <= 3; i++) expect(await hal.sendCommand(['send', 'gil', `c-${i}`, `m${i}`])).toBe('OK');
    await until('pushes to the RESP2 connection dropped', () => server.gateway.stats.pushesDropped - dropped === 3);
    expect(server.gateway.stats.pushes).toBe(pushes);
    expect(await gil.sendCommand(['msg-sync', '0'])).toHaveLength(3);
    expect(await gil.configGet('appendonly')).toEqual({ appendonly: 'no' });
    expect(await gil.quit()).toBe('OK');
  });
});
