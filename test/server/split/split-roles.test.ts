// Connection and logic processes of a split deployment, run in this process against a
// redis-server of its own: users on different connection processes talk; a push reaches only the
// connection process holding its recipient; requests wait in Redis while no logic process runs;
// a logic process that crashes mid-traffic loses nothing and disconnects no one; the queue protocol
// works too. (test/server/cluster.test.ts does it with real processes and SIGKILL.)
import Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ClusterKeys } from '../../../src/server/split/cluster-keys';
import { startConnectionProcess, type RunningConnectionProcess } from '../../../src/server/split/connection-process';
import { startLogicProcess, type RunningLogicProcess } from '../../../src/server/split/logic-process';
import { RedisStore } from '../../../src/server/redis-store';
import { ClientFleet } from '../../../src/server/load/client-fleet';
import { useRedisServer } from '../../helpers/redis-server';

const shared = useRedisServer();
let n = 0;

const LEASE = 400;

async function deployment(protocol: 'queue' | 'versioned', gws: number, logics: number) {
  const prefix = `s${++n}:`;
  const common = { redisUrl: shared.server.url, redisPrefix: prefix, leaseMs: LEASE };
  const conn: RunningConnectionProcess[] = [];
  for (let i = 0; i < gws; i++) conn.push(await startConnectionProcess(common));
  const logic: RunningLogicProcess[] = [];
  for (let i = 0; i < logics; i++) logic.push(await startLogicProcess({ ...common, protocol }));
  const fleet = new ClientFleet(protocol);
  return {
    prefix, conn, logic, fleet, keys: new ClusterKeys(prefix),
    startLogic: async () => {
      const l = await startLogicProcess({ ...common, protocol });
      logic.push(l);
      return l;
    },
    async close() {
      fleet.stop();
      for (const c of conn) await c.close();
      for (const l of logic) await l.close();
    },
  };
}

describe('split deployment, in one process', () => {
  it('users on different connection processes talk; each push goes only to the process holding its recipient', async () => {
    const d = await deployment('versioned', 2, 2);
    d.fleet.add('alice', d.conn[0].port);
    d.fleet.add('bob', d.conn[1].port);
    await d.fleet.until('online', () => d.fleet.allOnline);
    for (let i = 0; i < 30; i++) d.fleet.send('alice', 'bob', `hi ${i}`);
    await d.fleet.until('delivered', () => d.fleet.ledger.counts().unique === 30);
    expect(d.fleet.ledger.counts()).toMatchObject({ sent: 30, acked: 30, unique: 30, duplicates: 0, lost: 0, outOfOrder: 0 });
    // bob is on process 2 only: process 1 (alice's) got no push at all, process 2 got bob's msg-psh
    expect(d.conn[0].gateway.stats.pushes).toBe(0);
    expect(d.conn[1].gateway.stats.pushes).toBeGreaterThan(0);
    // the route table says where each is
    expect(await shared.admin.hkeys(d.keys.route('bob'))).toEqual([expect.stringMatching(new RegExp(`^${d.conn[1].id}:\\d+$`))]);
    await d.close();
  });

  it('requests wait in Redis while no logic process runs, and are served when one starts; no one is disconnected', async () => {
    const d = await deployment('versioned', 1, 1);
    const a = d.fleet.add('alice', d.conn[0].port);
    const b = d.fleet.add('bob', d.conn[0].port);
    await d.fleet.until('online', () => d.fleet.allOnline);
    await d.logic[0].close();
    for (let i = 0; i < 10; i++) d.fleet.send('alice', 'bob', `while down ${i}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.fleet.ledger.counts().acked).toBe(0);
    expect(d.conn[0].backlog).toBeGreaterThan(0);
    await d.startLogic();
    await d.fleet.until('delivered', () => d.fleet.ledger.counts().unique === 10);
    expect(d.fleet.ledger.counts()).toMatchObject({ acked: 10, duplicates: 0, lost: 0, outOfOrder: 0 });
    expect([a.stats.connects, b.stats.connects]).toEqual([1, 1]);
    await d.close();
  });

  it('a logic process crashing mid-traffic loses nothing, stores nothing twice, disconnects no one', async () => {
    const d = await deployment('versioned', 2, 2);
    const users = ['u1', 'u2', 'u3', 'u4'];
    users.forEach((u, i) => d.fleet.add(u, d.conn[i % 2].port));
    await d.fleet.until('online', () => d.fleet.allOnline);
    const total = 400;
    let sent = 0;
    const pump = setInterval(() => {
      for (let k = 0; k < 8 && sent < total; k++, sent++) d.fleet.send(users[sent % 4], users[(sent + 1) % 4], `m${sent}`);
    }, 2);
    await d.fleet.until('a third acknowledged', () => d.fleet.ledger.counts().acked >= total / 3);
    // Crash it while it holds requests taken and not finished (as SIGKILL would): they stay pending.
    await d.fleet.until('requests in its hands', () => d.logic[0].consumer.inFlight > 0);
    d.logic[0].crash();
    // What it left unacknowledged in Redis: a reply write (with its acks) already sent when it crashed still
    // lands, so count after that settles and well before its lease (LEASE ms) lets the survivor claim.
    await new Promise((r) => setTimeout(r, LEASE / 8));
    const held = (await shared.admin.xpending(d.keys.up, d.keys.group, '-', '+', 10_000, d.logic[0].consumer.name) as unknown[]).length;
    await d.fleet.until('all delivered', () => sent === total && d.fleet.ledger.counts().unique === total, 30_000);
    clearInterval(pump);
    expect(d.fleet.ledger.counts()).toMatchObject({ sent: total, acked: total, unique: total, duplicates: 0, lost: 0, outOfOrder: 0 });
    for (const u of users) expect(d.fleet.clients.get(u)!.stats.connects).toBe(1);
    expect(d.logic[1].consumer.stats.claimed).toBeGreaterThanOrEqual(held); // the survivor handled them again
    // each message is in its recipient's Sorted Set exactly once
    const store = new RedisStore(shared.admin.duplicate(), { prefix: d.prefix });
    for (const u of users) {
      const { msgs } = await store.run({ op: 'range', mode: 'versioned', user: u, after: 0, limit: 10_000 });
      expect(msgs.length).toBe(total / 4);
      expect(new Set(msgs.map((m) => `${m.from}/${m.cmid}`)).size).toBe(total / 4);
    }
    await store.close();
    d.logic.splice(0, 1);
    await d.close();
  });

  it('runs the queue protocol too', async () => {
    const d = await deployment('queue', 2, 2);
    d.fleet.add('alice', d.conn[0].port);
    d.fleet.add('bob', d.conn[1].port);
    await d.fleet.until('online', () => d.fleet.allOnline);
    for (let i = 0; i < 20; i++) {
      d.fleet.send('alice', 'bob', `a${i}`);
      d.fleet.send('bob', 'alice', `b${i}`);
    }
    await d.fleet.until('delivered', () => d.fleet.ledger.counts().unique === 40);
    // every message acknowledged by its recipient is deleted from its List
    await d.fleet.until('Lists emptied', () => d.conn.every((c) => c.backlog === 0));
    const store = new RedisStore(shared.admin.duplicate(), { prefix: d.prefix });
    const left = async (u: string) => (await store.run({ op: 'range', mode: 'queue', user: u, after: 0, limit: 100 })).msgs.length;
    const deadline = Date.now() + 5000;
    while ((await left('alice')) + (await left('bob')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect([await left('alice'), await left('bob')]).toEqual([0, 0]);
    expect(d.fleet.ledger.counts()).toMatchObject({ unique: 40, lost: 0, outOfOrder: 0 });
    await store.close();
    await d.close();
  });
});
