// The Redis store against a redis-server of its own: the store contract, the same answers as the
// embedded store on random operation sequences, the deck's structures in Redis, one script per
// operation, retried sends across a killed connection stored once, and errors that surface.
import fc from 'fast-check';
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/logic/memory-store';
import { bodyHash, type StoreOp } from '../../src/logic/store';
import type { ProtocolName } from '../../src/protocol/messages';
import { RedisStore } from '../../src/server/redis-store';
import { startCutProxy } from '../helpers/cut-proxy';
import { startRedisServer, useRedisServer } from '../helpers/redis-server';
import { run, storeContract } from '../logic/store-contract';

const shared = useRedisServer();
let stores = 0;

/** A store with keys of its own in the shared test Redis. */
async function freshStore(opts: { maxHistory?: number; maxQueued?: number } = {}): Promise<RedisStore> {
  return RedisStore.connect(shared.server.url, { prefix: `t${++stores}:`, ...opts });
}

storeContract('RedisStore', async (opts) => {
  const store = await freshStore(opts);
  return { port: store, close: () => store.close() };
});

describe('RedisStore answers as MemoryStore does', () => {
  const users = fc.constantFrom('bob', 'carol');
  const opArb = (mode: ProtocolName): fc.Arbitrary<StoreOp> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.record({
        op: fc.constant('append' as const), mode: fc.constant(mode), user: users, from: fc.constantFrom('alice', 'dave'),
        cmid: fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'), body: fc.string({ maxLength: 8 }),
      }) },
      { weight: 2, arbitrary: fc.record({
        op: fc.constant('range' as const), mode: fc.constant(mode), user: users, after: fc.nat(14), limit: fc.nat(6),
      }) },
      ...(mode === 'queue'
        ? [{ weight: 2, arbitrary: fc.record({
          op: fc.constant('ack' as const), mode: fc.constant('queue' as const), user: users,
          ids: fc.array(fc.nat(14), { maxLength: 4 }),
        }) }]
        : []),
    );

  it.each([
    ['queue', 4], // small enough that a full List refuses sends
    ['versioned', 4], // small enough that trimming happens
  ] as const)('on random %s operation sequences (mailbox cap %d)', async (mode, cap) => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb(mode), { minLength: 1, maxLength: 40 }), async (ops) => {
        const model = new MemoryStore({ maxHistory: cap, maxQueued: cap });
        const store = await freshStore({ maxHistory: cap, maxQueued: cap });
        try {
          for (const op of ops) expect(await store.run(op)).toEqual(model.apply(op));
        } finally {
          await store.close();
        }
      }),
      { numRuns: 40, seed: 20240605 },
    );
  });
});

describe('RedisStore in Redis', () => {
  it('keeps the deck structures: a List per user (queue), a Sorted Set by version plus an INCR counter (versioned)', async () => {
    const store = await freshStore();
    await store.run({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: 'c-1', body: 'hi' });
    await store.run({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid: 'c-1', body: 'hi' });
    await store.run({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid: 'c-2', body: 'again' });
    const q = store.keys('bob', 'queue');
    const v = store.keys('bob', 'versioned');
    expect(q.box).toBe(`${store.prefix}{bob}:queue`);
    expect(await shared.admin.type(q.box)).toBe('list');
    expect(await shared.admin.lrange(q.box, 0, -1)).toEqual(['[1,"alice","c-1","hi"]']);
    expect(await shared.admin.type(v.box)).toBe('zset');
    expect(await shared.admin.zrange(v.box, '0', '-1', 'WITHSCORES')).toEqual(['[1,"alice","c-1","hi"]', '1', '[2,"alice","c-2","again"]', '2']);
    expect(await shared.admin.get(v.seq)).toBe('2');
    // the dedup key of a sent message expires; all of bob's keys share his hash tag (one cluster slot)
    const dup = store.dedupKey('bob', 'versioned', 'alice', 'c-2');
    expect(await shared.admin.get(dup)).toBe(`2:${bodyHash('again')}`);
    expect(await shared.admin.ttl(dup)).toBeGreaterThan(6 * 24 * 3600);
    const hashTag = (k: string) => k.slice(k.indexOf('{') + 1, k.indexOf('}'));
    expect([q.box, q.seq, v.box, v.seq, dup].map(hashTag)).toEqual(['bob', 'bob', 'bob', 'bob', 'bob']);
    await store.close();
  });

  it('takes a dedup record written before body hashes were kept (a bare id) as a retry of the same message', async () => {
    const store = await freshStore();
    await store.run({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid: 'c-1', body: 'hi' });
    await shared.admin.set(store.dedupKey('bob', 'versioned', 'alice', 'c-1'), '1');
    expect(await store.run({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid: 'c-1', body: 'other' })).toEqual({ id: 1, dup: true });
    await store.close();
  });

  it('runs each operation as one script call (EVAL once per script, then EVALSHA), its steps inside it', async () => {
    const store = await freshStore();
    const info = String(await store.redis.client('INFO'));
    const addr = /addr=(\S+)/.exec(info)![1];
    const mon = await shared.admin.duplicate().monitor();
    const seen: { args: string[]; source: string }[] = [];
    mon.on('monitor', (_t: string, args: string[], source: string) => seen.push({ args, source }));
    await new Promise((r) => setTimeout(r, 50)); // MONITOR is on before the first operation below

    const ops: StoreOp[] = [];
    for (let i = 1; i <= 4; i++) ops.push({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: `c${i}`, body: `m${i}` });
    ops.push({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: 'c2', body: 'retried' });
    ops.push({ op: 'range', mode: 'queue', user: 'bob', after: 0, limit: 10 });
    ops.push({ op: 'ack', mode: 'queue', user: 'bob', ids: [1, 3] });
    ops.push({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid: 'c1', body: 'v1' });
    ops.push({ op: 'range', mode: 'versioned', user: 'bob', after: 0, limit: 10 });
    for (const op of ops) await store.run(op);
    await store.redis.echo('end-of-test');
    for (let t = 0; t < 200 && !seen.some((s) => s.args[0] === 'echo'); t++) await new Promise((r) => setTimeout(r, 10));
    mon.disconnect();

    const fromStore = seen.filter((s) => s.source === addr).map((s) => s.args[0].toLowerCase());
    expect(fromStore).toEqual([...ops.map((_, i) => (i === 0 || i === 5 || i === 6 ? 'eval' : 'evalsha')), 'echo']);
    // the first append's steps ran inside its script: dedup check, the List's cap, INCR, dedup key with expiry, RPUSH
    const inside = seen.filter((s) => s.source === 'lua').map((s) => s.args[0].toLowerCase());
    expect(inside.slice(0, 5)).toEqual(['get', 'llen', 'incr', 'set', 'rpush']);
    await store.close();
  });

  it('stores each send once when replies are lost with the connection and ioredis sends again', async () => {
    const proxy = await startCutProxy(shared.server.port);
    const store = await RedisStore.connect(`redis://127.0.0.1:${proxy.port}`, { prefix: `t${++stores}:` });
    const n = 600;
    // The connection dies in the middle of the replies: the command whose reply is cut did run.
    proxy.cutAfter(1000);
    const results = await Promise.all(Array.from({ length: n }, (_, i) =>
      store.run({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: `c${i}`, body: `m${i}` })));
    expect(proxy.cuts).toBe(1);
    // Some sends were stored before the cut and answered only after it, as retried: "dup", original id.
    expect(results.some((r) => 'dup' in r && r.dup)).toBe(true);
    // Every send has an id; each message is in the List exactly once, ids dense 1..n, in send order.
    const stored = (await store.run({ op: 'range', mode: 'queue', user: 'bob', after: 0, limit: 10_000 })).msgs;
    expect(stored.map((m) => m.cmid)).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
    expect(stored.map((m) => m.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(results.map((r) => ('id' in r ? r.id : -1))).toEqual(stored.map((m) => m.id));
    expect(await shared.admin.get(store.keys('bob', 'queue').seq)).toBe(String(n));
    // A client sending all of them again stores nothing more.
    const again = await Promise.all(stored.map((m) => store.run({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: m.cmid, body: m.body })));
    expect(again.every((r, i) => 'dup' in r && r.dup && r.id === i + 1)).toBe(true);
    expect(await shared.admin.llen(store.keys('bob', 'queue').box)).toBe(n);
    await store.close();
    await proxy.close();
  });
});

describe('RedisStore errors', () => {
  it('reports a failed operation to onError, never to done', async () => {
    const store = await freshStore();
    await shared.admin.set(store.keys('bob', 'queue').box, 'not a list');
    const failed = new Promise<[StoreOp, Error]>((resolve) => (store.onError = (op, err) => resolve([op, err])));
    let answered = false;
    const op: StoreOp = { op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: 'c1', body: 'x' };
    store.exec(op, () => (answered = true));
    const [which, err] = await failed;
    expect(which).toBe(op);
    expect(err.message).toMatch(/WRONGTYPE/);
    expect(answered).toBe(false);
    await store.close();
  });

  it('fails operations (soon, not for ever) while Redis is down', async () => {
    const own = await startRedisServer();
    const store = await RedisStore.connect(own.url);
    await own.stop();
    await expect(store.run({ op: 'range', mode: 'versioned', user: 'bob', after: 0, limit: 1 })).rejects.toThrow(/Reached the max retries|Connection is closed|ECONNREFUSED/);
    await store.close();
  });

  it('says what to do when Redis cannot be reached, or the URL is wrong', async () => {
    const own = await startRedisServer();
    await own.stop(); // a port where nothing listens now
    await expect(RedisStore.connect(own.url)).rejects.toThrow(
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${own.port}.*ECONNREFUSED[\\s\\S]*redis-server --port ${own.port}[\\s\\S]*without --redis`),
    );
    await expect(RedisStore.connect('http://localhost:6379')).rejects.toThrow(/must start with redis:\/\//);
    await expect(RedisStore.connect('nonsense')).rejects.toThrow(/invalid Redis URL 'nonsense'/);
  });

  it('refuses a range or ack with a negative or fractional number', async () => {
    const store = await freshStore();
    await expect(store.run({ op: 'range', mode: 'versioned', user: 'bob', after: -1, limit: 1 })).rejects.toThrow(/after must be a non-negative integer/);
    await expect(store.run({ op: 'ack', mode: 'queue', user: 'bob', ids: [1.5] })).rejects.toThrow(/non-negative integer/);
    await store.close();
  });
});
