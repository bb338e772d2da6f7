// Protocol errors with real clients beside the bad connection: the bad bytes get exactly the reply
// redis-server gives (the oracle, started here with a password so its pre-login limits apply, as
// imsim's do before AUTH) and only that connection is closed; an ioredis and a node-redis client
// on the same server are not disconnected and keep working.
import Redis from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { exchange } from '../helpers/raw-exchange';
import { useRedisServer } from '../helpers/redis-server';

const oracle = useRedisServer();
let server: RunningServer;
let io: Redis;
let nr: ReturnType<typeof createClient>;
const disconnects: string[] = [];

beforeAll(async () => {
  await oracle.admin.config('SET', 'requirepass', 'oracle-pw'); // connections made from now on start unauthenticated
  server = await startServer({ protocol: 'versioned', port: 0 });
  io = new Redis({ host: '127.0.0.1', port: server.port, username: 'ivy', password: makeToken('ivy') });
  io.on('close', () => disconnects.push('ioredis'));
  nr = createClient({ url: `redis://jon:${makeToken('jon')}@127.0.0.1:${server.port}` });
  nr.on('error', () => {});
  nr.on('end', () => disconnects.push('node-redis'));
  nr.on('reconnecting', () => disconnects.push('node-redis'));
  await nr.connect();
  await io.ping();
});
afterAll(async () => {
  io?.disconnect();
  if (nr?.isOpen) nr.destroy();
  await server?.close();
});

const long = (n: number) => '1'.repeat(n);
const CASES: [string, string][] = [
  ['a bulk that does not start with $', '*1\r\nx\r\n'],
  ['a bad multibulk count', '*abc\r\n'],
  ['a negative bulk length', '*1\r\n$-5\r\n'],
  ['unbalanced quotes', 'PING "unbalanced\r\n'],
  ['too many arguments before login', '*11\r\n'],
  ['a big bulk before login', '*1\r\n$20000\r\n'],
  ['a 70 KB inline line without its end', `PING ${long(70_000)}`],
  ['a 70 KB multibulk count', `*${long(70_000)}`],
  ['a 70 KB bulk count', `*1\r\n$${long(70_000)}`],
];

let sent = 0;
describe('a protocol error closes only the connection that sent it', () => {
  it.each(CASES)('%s: answered as redis-server answers, the real clients keep going', async (_name, bad) => {
    const [imsim, redis] = await Promise.all([exchange(server.port, bad), exchange(oracle.server.port, bad)]);
    expect(redis.text).toMatch(/^-ERR Protocol error: /);
    expect(redis.closed).toBe(true);
    expect(imsim).toEqual(redis);
    // the two real clients beside it: still connected, still served
    sent++;
    expect(await io.call('send', 'jon', `c-${sent}`, `after bad input ${sent}`)).toBe('OK');
    const page = (await nr.sendCommand(['msg-sync', String(sent - 1)])) as string[][];
    expect(page).toEqual([['msg', 'v', String(sent), 'ivy', `c-${sent}`, `after bad input ${sent}`]]);
    expect(disconnects).toEqual([]);
  });

  it('the server counted each as a protocol error', () => {
    expect(server.gateway.stats.protocolErrors).toBe(CASES.length);
  });
});
