// The reliable queue between the layers of a split deployment (a Redis Stream with a consumer
// group), against a redis-server of its own: entries in order, an entry taken and never
// acknowledged (its consumer crashed) handed out again exactly once to exactly one other consumer,
// acknowledged entries never again, a lost ack repaired by the consumer itself.
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { enqueue, QueueConsumer, type QueueEntry } from '../../../src/server/split/redis-queue';
import { useRedisServer } from '../../helpers/redis-server';
import { until } from '../../helpers/until';

const shared = useRedisServer();
let queues = 0;

const LEASE = 300;

/** A consumer that records what it gets; acks unless told not to. */
async function consumer(key: string, name: string, opts: { ack?: (e: QueueEntry) => boolean; stuckMs?: number } = {}) {
  const got: QueueEntry[] = [];
  const redis = new Redis(shared.server.url);
  redis.on('error', () => {}); // a crashed consumer's connection
  let c!: QueueConsumer;
  c = await QueueConsumer.start(redis, { key, group: 'g', name, leaseKey: (n) => `${key}:lease:${n}`, leaseMs: LEASE, stuckMs: opts.stuckMs }, (entries) => {
    for (const e of entries) {
      got.push(e);
      if (opts.ack?.(e) ?? true) c.ack(e.id);
    }
  });
  return { c, got, redis, bodies: () => got.map((e) => e.body) };
}


const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);
const pendingCount = async (key: string) => ((await shared.admin.xpending(key, 'g')) as [number])[0];

describe('QueueConsumer', () => {
  it('hands entries out in order and, once acknowledged, deletes them', async () => {
    const key = `q${++queues}`;
    const a = await consumer(key, 'a');
    expect(await enqueue(shared.admin, key, items(50))).toEqual(Array(50).fill(null));
    await until('all read', () => a.got.length === 50);
    expect(a.bodies()).toEqual(items(50));
    expect(a.got.every((e) => !e.redelivered)).toBe(true);
    await until('acked and deleted', async () => (await shared.admin.xlen(key)) === 0 && (await pendingCount(key)) === 0);
    await a.c.close();
    a.redis.disconnect();
  });

  it('a consumer that crashed between take and ack: its entries go to exactly one other consumer, once', async () => {
    const key = `q${++queues}`;
    // a takes everything and acknowledges only the even entries, then crashes (as SIGKILL would).
    const a = await consumer(key, 'a', { ack: (e) => Number(e.body.slice(1)) % 2 === 0 });
    await enqueue(shared.admin, key, items(40));
    await until('a took all', () => a.got.length === 40);
    await until('a acked the even ones', async () => (await pendingCount(key)) === 20);
    a.c.crash();
    a.redis.disconnect();
    // Two survivors race for a's entries; new entries keep coming meanwhile.
    const b = await consumer(key, 'b');
    const c = await consumer(key, 'c');
    await enqueue(shared.admin, key, items(20, 40));
    const odd = items(40).filter((_, i) => i % 2 === 1);
    await until('the odd ones redelivered', () => [...b.got, ...c.got].filter((e) => e.redelivered).length >= 20);
    await until('the new ones read', () => [...b.got, ...c.got].filter((e) => !e.redelivered).length >= 20);
    await new Promise((r) => setTimeout(r, 3 * LEASE)); // a few more reaper rounds: nothing more may come
    const redelivered = [...b.got, ...c.got].filter((e) => e.redelivered).map((e) => e.body).sort();
    expect(redelivered).toEqual([...odd].sort()); // each odd entry once, none of the acknowledged ones
    const fresh = [...b.got, ...c.got].filter((e) => !e.redelivered).map((e) => e.body).sort();
    expect(fresh).toEqual(items(20, 40).sort());
    // a's entries arrive at one consumer in stream order
    for (const x of [b, c]) {
      const mine = x.got.filter((e) => e.redelivered).map((e) => Number(e.body.slice(1)));
      expect(mine).toEqual([...mine].sort((p, q) => p - q));
    }
    await until('nothing pending, stream empty', async () => (await pendingCount(key)) === 0 && (await shared.admin.xlen(key)) === 0);
    // the dead consumer left the group (a consumer that has not read yet is not in it: Redis 7.0)
    const names = ((await shared.admin.xinfo('CONSUMERS', key, 'g')) as string[][]).map((r) => r[1]);
    expect(names).not.toContain('a');
    expect(names).toContain('b');
    expect(b.c.stats.deadConsumers + c.c.stats.deadConsumers).toBeGreaterThanOrEqual(1);
    for (const x of [b, c]) {
      await x.c.close();
      x.redis.disconnect();
    }
  });

  it('an ack that never reached Redis: the consumer hands the entry out again itself', async () => {
    const key = `q${++queues}`;
    let dropFirst = true;
    const a = await consumer(key, 'a', {
      stuckMs: 200,
      // the first time m1 comes, pretend it was handled but give it back unacknowledged (a lost ack)
      ack: (e) => !(e.body === 'm1' && dropFirst && !(dropFirst = false)),
    });
    // a lost ack, as the caller sees it: the entry is no longer being handled, yet still pending
    const lost = new Promise<void>((resolve) => {
      const t = setInterval(() => {
        const e = a.got.find((x) => x.body === 'm1');
        if (e) {
          a.c.abandon(e.id);
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    await enqueue(shared.admin, key, items(3));
    await lost;
    await until('m1 handed out again', () => a.bodies().filter((b) => b === 'm1').length === 2);
    expect(a.got.filter((e) => e.body === 'm1').map((e) => e.redelivered)).toEqual([false, true]);
    await until('nothing pending', async () => (await pendingCount(key)) === 0);
    expect(a.c.stats.reclaimedOwn).toBe(1);
    await a.c.close();
    a.redis.disconnect();
  });

  it('close finishes what it took, leaves the group and gives up its lease at once', async () => {
    const key = `q${++queues}`;
    const a = await consumer(key, 'a');
    await enqueue(shared.admin, key, items(5));
    await until('read', () => a.got.length === 5);
    await a.c.close();
    expect(await shared.admin.exists(`${key}:lease:a`)).toBe(0);
    expect(await shared.admin.xinfo('CONSUMERS', key, 'g')).toEqual([]);
    // entries added after it left wait for the next consumer
    await enqueue(shared.admin, key, items(2, 5));
    const b = await consumer(key, 'b');
    await until('b reads them', () => b.got.length === 2);
    expect(b.bodies()).toEqual(['m5', 'm6']);
    await b.c.close();
    a.redis.disconnect();
    b.redis.disconnect();
  });
});
