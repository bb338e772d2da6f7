// The scripted conversation over real sockets with mailboxes in a real Redis: the same deliveries,
// order and frames per kind as the simulator (whose store is the embedded one), for both protocols.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../src/protocol/messages';
import { conversation } from '../../src/scenario/conversation';
import { RealHarness } from '../../src/server/real-harness';
import { RedisStore } from '../../src/server/redis-store';
import { SimHarness } from '../../src/sim/sim-harness';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

let redis: RedisServer;
let real: RealHarness | null = null;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  await real?.close();
  real = null;
});
afterAll(async () => {
  await redis?.stop();
});

describe.each(PROTOCOLS)('sim vs real sockets with the Redis store, %s protocol', (protocol) => {
  it('same deliveries, same order, same frames per kind; the mailboxes are in Redis', async () => {
    const sim = new SimHarness({ protocol, seed: 3 });
    await conversation(sim);
    real = await RealHarness.start(protocol, { redisUrl: redis.url, redisPrefix: `eq-${protocol}:` });
    await conversation(real);

    for (const user of ['alice', 'bob']) {
      expect(real.ledger.receivedBy(user)).toEqual(sim.ledger.receivedBy(user));
      expect(Object.fromEntries(real.frameCounts(user))).toEqual(Object.fromEntries(sim.frameCounts(user)));
    }
    expect(real.ledger.counts()).toEqual(sim.ledger.counts());
    expect(sim.ledger.summary().lost).toBe(0);

    const store = real.server.store;
    expect(store).toBeInstanceOf(RedisStore);
    const r = await (store as RedisStore).run({ op: 'range', mode: protocol, user: 'bob', after: 0, limit: 100 });
    // versioned keeps bob's history (10 messages); the queue keeps only what bob has not acknowledged
    if (protocol === 'versioned') expect(r.msgs.map((m) => m.body)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => i <= 5 ? `hi bob, message ${i}` : `while you were away ${i}`));
    else expect(r.msgs.length).toBeLessThan(10);
    expect(r.latest).toBe(10);
    expect(real.server.storeErrors).toBe(0);
  });
});
