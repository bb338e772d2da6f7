// The multi-process acceptance test: 2 connection processes, 2 logic processes (real
// `imsim serve --role ...` processes) and one redis-server, all started here and stopped here.
// Users on different connection processes exchange 1000 messages over real TCP with the real
// ImClient while one logic process is killed with SIGKILL and started again, and one connection
// process is killed and started again on its port. With the versioned protocol the delivery
// ledger must show nothing lost, nothing applied twice, nothing out of order; the store must hold
// every message exactly once; clients of the surviving connection process never reconnect.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKeys } from '../../../src/server/split/cluster-keys';
import { startCluster, type RunningCluster } from '../../../src/server/split/cluster-runner';
import { RedisStore } from '../../../src/server/redis-store';
import { ClientFleet } from '../../../src/server/load/client-fleet';

const ROOT = join(__dirname, '..', '..', '..');
const LEASE_MS = 1000;
let cluster: RunningCluster;
let admin: Redis;
const log: string[] = [];

beforeAll(async () => {
  // The processes run dist/: build it if src/ changed (a no-op when up to date, as under npm test).
  const setup = spawnSync('bash', [join(ROOT, 'scripts', 'setup.sh')], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`scripts/setup.sh failed:\n${setup.stderr}`);
  cluster = await startCluster({
    connections: 2, logics: 2, protocol: 'versioned', port: 0, leaseMs: LEASE_MS,
    main: join(ROOT, 'dist', 'cli', 'main.js'), log: (l) => log.push(l),
  });
  admin = new Redis(cluster.redisUrl);
}, 120_000);

afterAll(async () => {
  admin?.disconnect();
  await cluster?.stop();
});

describe('imsim cluster: 2 connection + 2 logic processes, one Redis', () => {
  it('1000 messages across connection processes survive a SIGKILLed logic process and a restarted connection process', async () => {
    const keys = new ClusterKeys();
    const [conn1, conn2] = cluster.connections;
    const [logic1] = cluster.logics;
    const fleet = new ClientFleet('versioned');
    const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
    const onConn1 = users.filter((_, i) => i % 2 === 0);
    const onConn2 = users.filter((_, i) => i % 2 === 1);
    users.forEach((u, i) => fleet.add(u, (i % 2 === 0 ? conn1 : conn2).port));
    await fleet.until('all online', () => fleet.allOnline);

    // Every message goes from a user on one connection process to a user on the other.
    const total = 1000;
    let sent = 0;
    const pump = setInterval(() => {
      for (let k = 0; k < 5 && sent < total; k++, sent++) fleet.send(users[sent % 10], users[(sent + 1) % 10], `message ${sent}`);
    }, 8);
    const acked = () => fleet.ledger.counts().acked;
    try {
      // 1. SIGKILL a logic process while it holds requests it took and did not finish.
      await fleet.until('a quarter acknowledged', () => acked() >= total / 4);
      const victim = logic1.incarnation;
      const pendingOf = async (name: string) => ((await admin.xpending(keys.up, keys.group, '-', '+', 1000, name)) as unknown[]).length;
      const deadline = Date.now() + 5000;
      while ((await pendingOf(victim)) === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      await logic1.kill('SIGKILL');
      const orphaned = await pendingOf(victim);
      await new Promise((r) => setTimeout(r, 300));
      await logic1.start(); // a new consumer: the old one's entries are claimed by whoever sees its lease gone
      expect(logic1.incarnation).not.toBe(victim);

      // 2. Kill a connection process and start it again on its port: its clients reconnect.
      await fleet.until('60% acknowledged', () => acked() >= total * 0.6);
      const oldGw = Number(conn2.incarnation);
      await conn2.kill('SIGKILL');
      await conn2.start();
      expect(Number(conn2.incarnation)).toBeGreaterThan(oldGw);

      await fleet.until('every message delivered', () => sent === total && fleet.ledger.counts().unique === total, 40_000);
      const counts = fleet.ledger.counts();
      expect(counts).toMatchObject({ sent: total, acked: total, applied: total, unique: total, duplicates: 0, lost: 0, outOfOrder: 0, pending: 0 });
      // The logic process died holding requests; they were handled again, by the other one.
      expect(orphaned).toBeGreaterThan(0);
      // No client lost its connection to the logic kill; conn-2's clients logged in once more, on the new process
      // (connect attempts may be more: the first ones can come before it listens again).
      for (const u of onConn1) expect(fleet.clients.get(u)!.stats, u).toMatchObject({ connects: 1, logins: 1 });
      for (const u of onConn2) expect(fleet.clients.get(u)!.stats.logins, u).toBe(2);

      // Stored exactly once: each user's Sorted Set holds its 100 messages, each (sender, cmid) once, versions 1..100.
      const store = new RedisStore(admin.duplicate());
      for (const u of users) {
        const { msgs, latest } = await store.run({ op: 'range', mode: 'versioned', user: u, after: 0, limit: 10_000 });
        expect(msgs.map((m) => m.id), u).toEqual(Array.from({ length: total / 10 }, (_, i) => i + 1));
        expect(new Set(msgs.map((m) => `${m.from}/${m.cmid}`)).size).toBe(total / 10);
        expect(latest).toBe(total / 10);
      }
      await store.close();

      // Nothing left in the queue; the killed consumer is gone from the group; no route leads to the dead process.
      const drained = Date.now() + 10_000;
      while (((await admin.xlen(keys.up)) > 0 || ((await admin.xpending(keys.up, keys.group)) as [number])[0] > 0) && Date.now() < drained) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await admin.xlen(keys.up)).toBe(0);
      const consumers = ((await admin.xinfo('CONSUMERS', keys.up, keys.group)) as string[][]).map((r) => r[1]);
      expect(consumers).not.toContain(victim);
      // Once the killed connection process's lease is gone, the next push to each of its users drops
      // the stale route (until then a push goes to the dead process's List too, and to the new route).
      while ((await admin.exists(keys.gwAlive(oldGw))) === 1) await new Promise((r) => setTimeout(r, 50));
      for (const u of onConn2) fleet.send('u0', u, `after the restart, to ${u}`);
      await fleet.until('those delivered too', () => fleet.ledger.counts().unique === total + onConn2.length);
      expect(fleet.ledger.counts()).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0 });
      for (const u of onConn2) {
        const gws = (await admin.hkeys(keys.route(u))).map((f) => Number(f.split(':')[0]));
        expect(gws, u).toEqual([Number(conn2.incarnation)]);
      }
    } finally {
      clearInterval(pump);
      fleet.stop();
    }
  }, 60_000);
});
