// ioredis and node-redis, default settings, against the split deployment (a connection process and a
// logic process over a Redis this file starts): the handshake is answered by the connection process,
// requests go through the Redis queue to the logic process, and a recipient's push comes back to the
// connection process holding it as a RESP3 push frame.
import Redis from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../../src/protocol/token';
import { useRedisServer } from '../../helpers/redis-server';
import { startSplitDeployment, type SplitDeployment } from '../../helpers/split-deployment';
import { until } from '../../helpers/until';

const redis = useRedisServer();
let split: SplitDeployment;
beforeAll(async () => {
  split = await startSplitDeployment(redis.server.url, 'clients:');
});
const io: Redis[] = [];
afterAll(async () => {
  for (const c of io) c.disconnect();
  await split?.close();
});

describe('real clients against the split deployment', () => {
  it('ioredis sends, node-redis syncs; the push reaches the ioredis socket as a > frame', async () => {
    const kai = new Redis({ host: '127.0.0.1', port: split.port, username: 'kai', password: makeToken('kai') });
    io.push(kai);
    await new Promise((r) => kai.once('ready', r));
    const lou = createClient({ url: `redis://lou:${makeToken('lou')}@127.0.0.1:${split.port}` });
    lou.on('error', () => {});
    await lou.connect();

    expect(await kai.call('send', 'lou', 'c-1', 'hi lou')).toBe('OK');
    expect(await lou.sendCommand(['msg-sync', '0'])).toEqual([['msg', 'v', '1', 'kai', 'c-1', 'hi lou']]);

    let seen = '';
    kai.stream.on('data', (d: Buffer) => (seen += d.toString('latin1')));
    expect(await lou.sendCommand(['send', 'kai', 'c-1', 'hi kai'])).toBe('OK');
    await until('push frame on kai', () => seen.includes('>2\r\n$7\r\nmsg-psh\r\n$1\r\n1\r\n'));
    expect(await kai.call('msg-sync', '0')).toEqual([['msg', 'v', '1', 'lou', 'c-1', 'hi kai']]);
    expect(await kai.info()).toContain('loading:0');
    expect(await lou.quit()).toBe('OK');
    expect(await kai.quit()).toBe('OK');
  });
});
