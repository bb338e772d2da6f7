// Messages per second delivered end to end with 1000 real clients (`imsim load`'s RealRun: the
// simulator's ImClient over TCP, versioned protocol) against an `imsim serve` process (embedded
// store), beside the same traffic on a plain redis-server: each of the same 1000 users has a
// mailbox List, a sender LPUSHes into the recipient's List and the recipient's connection waits in
// BRPOP (store, then deliver to the recipient's connection -- what imsim does, minus its
// acknowledgements and version bookkeeping), through ioredis, from this same process. And the
// chaos proxy's cost: the imsim run again through the in-process proxy with profile 'wifi'.
// Every run sends PER messages from each client to the next at once and stops the clock when the
// last one is applied on its recipient; after a warm-up round, rounds alternate and medians are printed.
// Both peers' clients run in this process (the server and redis-server in their own): on a 2-core
// machine the client side is a large part of what is measured, for both.
import Redis from 'ioredis';
import { startServeProcess } from '../src/server/split/cluster-runner';
import { RealRun } from '../src/server/load/load';
import { startRedisServer } from '../src/server/redis-process';
import { until } from '../test/helpers/until';

const CLIENTS = 1000;
const PER = 30;
const ROUNDS = 5;
const BODY = 'm'.repeat(40);

/** imsim: 1000 clients, PER messages each to the next, all at once; msg/s from first send to last applied. */
let runs = 0;
async function imsimRun(port: number, profile?: string): Promise<number> {
  const tag = ++runs; // fresh users each run: the server keeps mailboxes (and client message ids) between runs
  const run = await RealRun.start({ protocol: 'versioned', server: { host: '127.0.0.1', port }, proxy: profile !== undefined, seed: 1 });
  try {
    const users = Array.from({ length: CLIENTS }, (_, i) => `r${tag}u${i}`);
    for (const u of users) run.add(u, profile ? { profile } : {});
    await until('all clients online', () => run.online === CLIENTS, 60_000);
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < PER; k++) for (let i = 0; i < CLIENTS; i++) run.send(users[i], users[(i + 1) % CLIENTS], BODY);
    await until('all delivered', () => run.delivered === CLIENTS * PER, 120_000, 5); // polled every 5 ms: the clock stops within 5 ms of the last delivery
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    await until('settled', () => run.settled, 30_000);
    const d = run.ledger.summary();
    if (d.lost || d.duplicates || d.outOfOrder || d.unique !== CLIENTS * PER) throw new Error(`bench run delivered wrongly: ${JSON.stringify(d)}`);
    return (CLIENTS * PER) / secs;
  } finally {
    await run.stop();
  }
}

/** redis-server: the same users, a List each; LPUSH from a sender connection, BRPOP on the recipient's. */
async function redisRun(port: number, round: number): Promise<number> {
  const opts = { port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: null };
  const recv = Array.from({ length: CLIENTS }, () => new Redis(opts));
  const send = Array.from({ length: CLIENTS }, () => new Redis(opts));
  try {
    await Promise.all([...recv, ...send].map((c) => c.connect()));
    const key = (i: number) => `bench:${round}:q:${i}`;
    let delivered = 0;
    const t0 = process.hrtime.bigint();
    const receivers = recv.map(async (c, i) => {
      for (let got = 0; got < PER; got++) {
        await c.brpop(key(i), 0);
        delivered++;
      }
    });
    for (let k = 0; k < PER; k++) for (let i = 0; i < CLIENTS; i++) void send[i].lpush(key((i + 1) % CLIENTS), BODY);
    await Promise.all(receivers);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (delivered !== CLIENTS * PER) throw new Error(`redis peer delivered ${delivered}`);
    return (CLIENTS * PER) / secs;
  } finally {
    for (const c of [...recv, ...send]) c.disconnect();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchLoad(): Promise<void> {
  const redis = await startRedisServer();
  const serve = await startServeProcess(['--protocol', 'versioned']);
  try {
    const direct: number[] = [], wifi: number[] = [], peer: number[] = [];
    await imsimRun(serve.port); // warm-up (JIT, the server's first allocations), not counted
    await redisRun(redis.port, -1);
    for (let r = 0; r < ROUNDS; r++) {
      direct.push(await imsimRun(serve.port));
      peer.push(await redisRun(redis.port, r));
      wifi.push(await imsimRun(serve.port, 'wifi'));
      console.log(`   round ${r + 1}: imsim ${Math.round(direct[r])} · redis ${Math.round(peer[r])} · imsim via proxy (wifi) ${Math.round(wifi[r])} msg/s`);
    }
    const [d, p, w] = [median(direct), median(peer), median(wifi)];
    console.log(`load: ${CLIENTS} real clients, ${PER} messages each sent at once to the next client (${CLIENTS * PER} per run), medians of ${ROUNDS} alternating rounds`);
    console.log(`load: imsim serve (versioned, embedded store) ${Math.round(d)} msg/s delivered end to end; redis-server LPUSH -> BRPOP (ioredis, ${CLIENTS} + ${CLIENTS} connections) ${Math.round(p)} msg/s; ratio ${(d / p).toFixed(2)}x`);
    console.log(`load: through the chaos proxy (profile wifi, in-process) ${Math.round(w)} msg/s vs direct ${Math.round(d)} msg/s; ratio ${(w / d).toFixed(2)}x`);
  } finally {
    await serve.kill();
    await redis.stop();
  }
}
