// The user -> connection route table of a split deployment, against a redis-server of its own:
// routes per connection, a route to a dead connection process dropped at lookup, a route to a
// closed connection dropped by the live connection process a push reaches.
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ClusterKeys } from '../../../src/server/split/cluster-keys';
import { encodeDown } from '../../../src/server/split/cluster-messages';
import { startConnectionProcess } from '../../../src/server/split/connection-process';
import { RouteTable } from '../../../src/server/split/redis-routes';
import { useRedisServer } from '../../helpers/redis-server';
import { until } from '../../helpers/until';

const shared = useRedisServer();
let n = 0;


describe('RouteTable', () => {
  it("keeps one route per connection in the user's hash, under the user's hash tag", async () => {
    const keys = new ClusterKeys(`r${++n}:`);
    const routes = new RouteTable(shared.admin, keys);
    await shared.admin.set(keys.gwAlive(1), 'x');
    await shared.admin.set(keys.gwAlive(2), 'x');
    await routes.add('bob', 1, 5);
    await routes.add('bob', 2, 9);
    await routes.add('carol', 1, 6);
    expect(keys.route('bob')).toBe(`r${n}:{bob}:route`);
    expect(await shared.admin.hgetall(keys.route('bob'))).toEqual({ '1:5': '1', '2:9': '2' });
    expect((await routes.lookup('bob')).sort((a, b) => a.gw - b.gw)).toEqual([{ gw: 1, conn: 5 }, { gw: 2, conn: 9 }]);
    await routes.remove('bob', 1, 5);
    expect(await routes.lookup('bob')).toEqual([{ gw: 2, conn: 9 }]);
    expect(await routes.lookup('nobody')).toEqual([]);
    expect(routes.repaired).toBe(0);
  });

  it('drops the routes to a connection process whose lease is gone, and keeps the others', async () => {
    const keys = new ClusterKeys(`r${++n}:`);
    const routes = new RouteTable(shared.admin, keys);
    await shared.admin.set(keys.gwAlive(2), 'x');
    await routes.add('bob', 1, 5); // process 1 died (no lease): stale
    await routes.add('bob', 1, 7);
    await routes.add('bob', 2, 3);
    expect(await routes.lookup('bob')).toEqual([{ gw: 2, conn: 3 }]);
    expect(routes.repaired).toBe(2);
    expect(await shared.admin.hgetall(keys.route('bob'))).toEqual({ '2:3': '2' }); // repaired in Redis, not just skipped
  });
});

describe('a connection process and its stale routes', () => {
  it('drops the route of a push for a connection it no longer has', async () => {
    const prefix = `r${++n}:`;
    const keys = new ClusterKeys(prefix);
    const gw = await startConnectionProcess({ redisUrl: shared.server.url, redisPrefix: prefix, leaseMs: 300 });
    // A route left behind for connection 42 of this live process (its `closed` was handled before a redelivered login).
    await shared.admin.hset(keys.route('bob'), `${gw.id}:42`, String(gw.id), `${gw.id}:43`, String(gw.id));
    await shared.admin.rpush(keys.gwDown(gw.id), encodeDown({ d: { k: 'push', conn: 42, user: 'bob', items: ['msg-psh', '3'] } }));
    await until('route repaired', async () => (await shared.admin.hexists(keys.route('bob'), `${gw.id}:42`)) === 0);
    expect(await shared.admin.hkeys(keys.route('bob'))).toEqual([`${gw.id}:43`]); // only that one
    expect(gw.routes.repaired).toBe(1);
    await gw.close();
    expect(await shared.admin.exists(keys.gwAlive(gw.id))).toBe(0); // a clean stop gives up the lease at once
  });

  it('a restarted connection process is a new incarnation: its lease, List and routes are new', async () => {
    const prefix = `r${++n}:`;
    const keys = new ClusterKeys(prefix);
    const first = await startConnectionProcess({ redisUrl: shared.server.url, redisPrefix: prefix, leaseMs: 300 });
    const port = first.port;
    first.crash();
    const again = await startConnectionProcess({ redisUrl: shared.server.url, redisPrefix: prefix, leaseMs: 300, port });
    expect(again.port).toBe(port);
    expect(again.id).toBeGreaterThan(first.id);
    await until("the crashed one's lease expired", async () => (await shared.admin.exists(keys.gwAlive(first.id))) === 0);
    expect(await shared.admin.exists(keys.gwAlive(again.id))).toBe(1);
    await again.close();
  });

  it('queue protocol: remembers the newest id pushed on each connection in its route; nothing for a closed one', async () => {
    const keys = new ClusterKeys(`r${++n}:`);
    const routes = new RouteTable(shared.admin, keys);
    await shared.admin.set(keys.gwAlive(3), 'x');
    await routes.add('bob', 3, 1);
    expect(await routes.pushed('bob', 3, 1)).toBe(0);
    await routes.setPushed('bob', 3, 1, 42);
    expect(await routes.pushed('bob', 3, 1)).toBe(42);
    expect(await routes.lookup('bob')).toEqual([{ gw: 3, conn: 1 }]); // still a route like any other
    expect(await routes.pushed('bob', 3, 2)).toBeNull();
    await routes.remove('bob', 3, 1);
    expect(await routes.pushed('bob', 3, 1)).toBeNull();
  });
});
