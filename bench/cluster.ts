// Messages per second delivered end to end (real clients over TCP, send to applied on the
// recipient) through a split deployment — 2 connection + 2 logic processes on one Redis — beside
// one `imsim serve --redis` process on the same Redis, in the same run. Every message crosses
// from a client on one connection process to a client on the other.
import { ClientFleet } from '../src/server/load/client-fleet';
import { startCluster, startServeProcess } from '../src/server/split/cluster-runner';
import { startRedisServer } from '../src/server/redis-process';

const USERS = 20;
const PER_USER = 150;

/** Sends PER_USER messages from each user to its partner, all at once; resolves with messages/s. */
async function run(ports: [number, number]): Promise<number> {
  const fleet = new ClientFleet('versioned');
  const users = Array.from({ length: USERS }, (_, i) => `b${i}`);
  users.forEach((u, i) => fleet.add(u, ports[i % 2]));
  await fleet.until('online', () => fleet.allOnline, 30_000);
  const total = USERS * PER_USER;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < PER_USER; k++) for (let i = 0; i < USERS; i++) fleet.send(users[i], users[i ^ 1], `m${k}`);
  await fleet.until('delivered', () => fleet.ledger.counts().unique === total, 120_000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = fleet.ledger.counts();
  if (c.lost || c.duplicates || c.outOfOrder) throw new Error(`bench run delivered wrongly: ${JSON.stringify(c)}`);
  fleet.stop();
  return total / secs;
}

export async function benchCluster(): Promise<void> {
  const redis = await startRedisServer();
  try {
    const single = await startServeProcess(['--redis', redis.url, '--redis-prefix', 'bench1:']);
    const one = await run([single.port, single.port]);
    await single.kill();
    const cluster = await startCluster({ connections: 2, logics: 2, protocol: 'versioned', redisUrl: redis.url, redisPrefix: 'bench2:', port: 0 });
    const split = await run([cluster.connections[0].port, cluster.connections[1].port]);
    await cluster.stop();
    const total = USERS * PER_USER;
    console.log(`cluster: ${USERS} clients, ${total} messages sent at once, each to a client on the other connection process`);
    console.log(`cluster: 2 connection + 2 logic processes ${Math.round(split)} msg/s; one imsim serve --redis process ${Math.round(one)} msg/s; ratio ${(split / one).toFixed(2)}x`);
  } finally {
    await redis.stop();
  }
}
