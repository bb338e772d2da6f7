// A connection process of a split deployment (`imsim serve --role connection`): the Gateway over
// TCP, as in one process, but its async queue to the logic layer is a Redis Stream shared with
// every connection process, and what the logic layer answers arrives in this process's own List.
//
//   client ──TCP──▶ Gateway ─(one batch per connection at a time)─▶ XADD imsim:up
//   client ◀─TCP── Gateway ◀── BLMPOP imsim:gw:<id>:down ◀── logic processes
//
// Its id comes from INCR imsim:gw:seq, new at every start, and its lease says it lives: a restarted
// process never inherits the routes or the List of its previous life. When it dies its clients
// reconnect (to it once restarted, or to another) and log in again; the versioned protocol then
// catches them up from their own cursor, so nothing is lost.
import type Redis from 'ioredis';
import { Gateway, type GatewayOptions, type OutputBufferOptions } from '../../connection/gateway';
import type { Down, Up } from '../../connection/layer-messages';
import { ReplyError } from '../../wire';
import { ClusterKeys } from './cluster-keys';
import { decodeDown, encodeUps, PULL_CMD } from './cluster-messages';
import { socketsFor, type ConnectionBacklog, type ConnectionGuards } from '../gateway-sockets';
import { Lease } from './lease';
import { OrderedUpstream } from './ordered-upstream';
import { connectRedis } from '../redis-store';
import { ensureGroup, enqueue } from './redis-queue';
import { RouteTable } from './redis-routes';

/** Default lease of a process of a split deployment, ms: a dead one is noticed within about this long. */
export const DEFAULT_LEASE_MS = 3000;

/** ConnectionGuards: as startServer's (gateway-sockets.ts). */
export interface ConnectionProcessOptions extends ConnectionGuards {
  redisUrl: string;
  redisPrefix?: string;
  host?: string;
  port?: number; // 0 = any free port
  leaseMs?: number;
  limits?: GatewayOptions['limits'];
  /** Bound the pushes kept for a client that cannot keep up (the gateway's output buffer). Default: unbounded. */
  output?: OutputBufferOptions;
}

export interface RunningConnectionProcess {
  /** This incarnation's id (the `gw` of its routes). */
  readonly id: number;
  readonly host: string;
  readonly port: number;
  readonly gateway: Gateway;
  readonly routes: RouteTable;
  readonly redisShown: string;
  /** Requests up in the logic layer, and requests waiting behind them (one per connection goes up at a time). */
  readonly backlog: number;
  readonly stats: { up: number; down: number; upErrors: number };
  /** Bytes held for one connection: for slow consumers (gateway.stats counts what the output buffer dropped). */
  backlogOf(conn: number): ConnectionBacklog;
  /** Stops listening, closes the connections (their `closed` goes up), gives up the lease. */
  close(): Promise<void>;
  /** What SIGKILL leaves behind, for tests: connections cut, nothing more sent, the lease left to expire. */
  crash(): void;
}

export async function startConnectionProcess(opts: ConnectionProcessOptions): Promise<RunningConnectionProcess> {
  const keys = new ClusterKeys(opts.redisPrefix);
  const { redis, shown } = await connectRedis(opts.redisUrl, 'imsim-connection');
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const sockets = socketsFor(opts.output, opts);
  const stats = { up: 0, down: 0, upErrors: 0 };
  let stopped = false;
  let crashed = false;
  let id = 0;
  let lease: Lease;
  try {
    id = await redis.incr(keys.gwSeq);
    lease = await Lease.acquire(redis, keys.gwAlive(id), leaseMs, () => {
      // Others may have read this process as dead and dropped its routes: its clients log in again.
      process.stderr.write(`imsim: connection process ${id} stalled past its lease; closing its connections so their clients log in again\n`);
      sockets.destroyAll();
    });
    await ensureGroup(redis, keys.up, keys.group);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const routes = new RouteTable(redis, keys);

  // ---- up: requests to the Redis queue, one entry per connection batch, sent per tick ------
  let pendingUp: Up[][] = [];
  let lastFlush: Promise<void> = Promise.resolve();
  const flushUp = () => {
    const batch = pendingUp;
    pendingUp = [];
    for (const b of batch) stats.up += b.length;
    lastFlush = enqueue(redis, keys.up, batch.map(encodeUps)).then(
      (errs) => errs.forEach((e, i) => e && batch[i].forEach((m) => upFailed(m, e))),
      (err: Error) => batch.forEach((b) => b.forEach((m) => upFailed(m, err))),
    );
  };
  const ordered = new OrderedUpstream((b) => {
    if (crashed) return;
    pendingUp.push(b);
    if (pendingUp.length === 1) setImmediate(flushUp);
  });
  const gateway = new Gateway(sockets.transport, (m) => ordered.up(m), { id, limits: opts.limits, output: opts.output, replyLimits: sockets.replyLimits });

  /** A request that never reached the queue: answered here, so its connection is not left waiting. */
  function upFailed(m: Up, err: Error): void {
    stats.upErrors++;
    if (stats.upErrors === 1 || stats.upErrors % 1000 === 0) {
      process.stderr.write(`imsim: connection process ${id}: cannot queue requests in Redis (${err.message}); ${stats.upErrors} so far\n`);
    }
    if (m.k === 'cmd') deliver({ k: 'reply', conn: m.conn, req: m.req, reply: new ReplyError(`ERR logic layer unreachable (${err.message}); try again`) });
    else if (m.k === 'login') {
      ordered.answered(m.conn, m.req);
      sockets.destroy(m.conn); // its client logs in again
    }
  }

  // ---- down: this process's List ----------------------------------------------------------
  function deliver(m: Down): void {
    stats.down++;
    if (m.k !== 'push') ordered.answered(m.conn, m.req);
    if (m.k === 'reply' && m.req < 0) return; // the answer to a pull of this process's own
    if (!sockets.has(m.conn)) {
      // Connection ids are never reused: a push for one that is gone followed a stale route.
      if (m.k === 'push' && m.user !== undefined) void routes.repair(m.user, id, m.conn).catch(() => {});
      return;
    }
    gateway.downstream(m);
  }

  const blocking: Redis = redis.duplicate({ connectionName: `imsim-connection-${id}-reader` });
  blocking.on('error', () => {});
  const reading = (async () => {
    const key = keys.gwDown(id);
    while (!stopped) {
      try {
        const r = await blocking.blmpop(1, 1, key, 'LEFT', 'COUNT', 512);
        if (!r) continue;
        for (const raw of r[1]) {
          const e = decodeDown(raw);
          if (!e) continue;
          if ('drop' in e) sockets.destroy(e.drop);
          else if ('pull' in e) ordered.pull(id, e.pull, e.user, PULL_CMD);
          else deliver(e.d);
        }
      } catch {
        if (stopped) return;
        await new Promise((res) => setTimeout(res, 100)); // Redis away: try again soon
      }
    }
  })();

  const host = opts.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await sockets.listen(gateway, host, opts.port ?? 0);
  } catch (err) {
    stopped = true;
    blocking.disconnect();
    await lease.release();
    redis.disconnect();
    throw err;
  }

  return {
    id, host, port, gateway, routes, stats, redisShown: shown,
    get backlog() {
      const b = ordered.backlog;
      return b.up + b.waiting;
    },
    backlogOf: (conn) => ({ socket: sockets.buffered(conn), held: gateway.heldBytes(conn) }),
    async close() {
      if (stopped) return;
      await sockets.close(); // each connection's `closed` goes up
      await new Promise((r) => setImmediate(r));
      await lastFlush;
      stopped = true;
      blocking.disconnect();
      await reading;
      await lease.release();
      await redis.quit().catch(() => redis.disconnect());
    },
    crash() {
      crashed = true;
      stopped = true;
      lease.stop();
      blocking.disconnect();
      redis.disconnect();
      void sockets.close();
    },
  };
}
