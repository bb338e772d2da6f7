// The real runtime of the server: the same Gateway and LogicLayer the simulator drives, here fed
// by net.Socket. One process holds both layers, joined by the same async queue. Mailboxes live in
// the embedded store (answers on the next tick) or, with `redisUrl`, in Redis.
import * as net from 'node:net';
import { Gateway } from '../connection/gateway';
import type { Down, Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import { delayedStore } from '../logic/delayed-store';
import { LogicLayer } from '../logic/logic-layer';
import { MemoryStore } from '../logic/memory-store';
import type { StoreOp, StorePort, StoreResult } from '../logic/store';
import type { ProtocolName } from '../protocol/messages';
import { ReplyError } from '../wire';
import { realScheduler } from './real-scheduler';
import { RedisStore } from './redis-store';
import type { Monitor } from '../monitor';
import { serverMonitoring } from './monitoring';
import { batchedWrites } from './batched-writes';

export interface ServeOptions {
  protocol: ProtocolName;
  host?: string;
  port?: number; // 0 = any free port
  secret?: string;
  pageSize?: number;
  /** Keep mailboxes in Redis at this URL (redis://host:port) instead of the embedded store. */
  redisUrl?: string;
  /** Prefix of imsim's keys in Redis (default `imsim:`). */
  redisPrefix?: string;
  /** Feed the deck's monitoring (src/server/monitoring.ts); `stats` over RESP reads it. */
  monitor?: Monitor;
  /** htime threshold with a monitor, µs (default 500 ms). */
  htimeUs?: number;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly gateway: Gateway;
  readonly logic: LogicLayer;
  /** Where mailboxes live: the embedded store, or Redis. */
  readonly store: MemoryStore | RedisStore;
  /** Requests not answered yet by the layers behind the gateway: queued for the logic layer (cmdq) or at the store. */
  readonly backlog: number;
  /** Store operations that failed (Redis errors); each became an error reply or closed the connections concerned. */
  readonly storeErrors: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7379;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const sched = realScheduler();
  const sockets = new Map<number, net.Socket>();
  let gateway!: Gateway;
  let logic!: LogicLayer;
  const downQueue = new AsyncQueue<Down>(sched, 0, (m) => gateway.downstream(m));

  // The request the logic layer is handling right now: the store operations it starts belong to it,
  // so a failed one can be answered to that request (see storeFailed).
  let handling: Up | null = null;
  const upQueue = new AsyncQueue<Up>(sched, 0, (m) => {
    handling = m;
    try {
      logic.handle(m);
    } finally {
      handling = null;
    }
  });

  let storeErrors = 0;
  let lastLogged = 0;
  const storeFailed = (origin: Up | null, op: StoreOp, err: Error) => {
    storeErrors++;
    const now = Date.now();
    if (now - lastLogged >= 1000) {
      lastLogged = now;
      process.stderr.write(`imsim: store error (${storeErrors} so far): ${op.op} for ${op.user}: ${err.message}\n`);
    }
    if (origin?.k === 'cmd') {
      // Each command starts one store operation and is answered only from its result: still unanswered.
      const what = op.op === 'append' ? 'message not stored, send it again' : 'try again';
      downQueue.push({ k: 'reply', conn: origin.conn, req: origin.req, reply: new ReplyError(`ERR store unavailable (${err.message}); ${what}`) });
      return;
    }
    // No request waits for it (a login's read of the mailbox, or a read after a store): close the
    // connections concerned, so their clients log in again and read the mailbox afresh.
    const conns = origin ? [origin.conn] : [...logic.sessions.of(op.user)].map((s) => s.conn);
    for (const c of conns) sockets.get(c)?.destroy();
  };

  let store: MemoryStore | RedisStore;
  let port: StorePort & { readonly backlog: number };
  if (opts.redisUrl) {
    const redis = await RedisStore.connect(opts.redisUrl, { prefix: opts.redisPrefix });
    store = redis;
    let inflight = 0;
    port = {
      exec<O extends StoreOp>(op: O, done: (r: StoreResult<O>) => void): void {
        const origin = handling;
        inflight++;
        redis.run(op).then(
          (r) => {
            inflight--;
            done(r);
          },
          (err: Error) => {
            inflight--;
            storeFailed(origin, op, err);
          },
        );
      },
      get backlog() {
        return inflight;
      },
    };
  } else {
    store = new MemoryStore();
    port = delayedStore(store, sched, 0);
  }

  const mon = opts.monitor ? serverMonitoring(opts.monitor, { htimeUs: opts.htimeUs }) : null;
  logic = new LogicLayer(port, (_gw, m) => downQueue.push(m), {
    protocol: opts.protocol, secret: opts.secret, pageSize: opts.pageSize, ...mon?.logic,
  });
  const write = batchedWrites();
  gateway = new Gateway(
    {
      write: (conn, bytes) => {
        const s = sockets.get(conn);
        if (s) write(s, bytes);
      },
      close: (conn) => sockets.get(conn)?.end(),
    },
    (m) => upQueue.push(m),
    { ...mon?.gateway },
  );
  mon?.start(() => upQueue.length + port.backlog + downQueue.length);

  let nextConn = 1;
  const server = net.createServer((socket) => {
    const id = nextConn++;
    sockets.set(id, socket);
    socket.setNoDelay(true);
    gateway.opened(id);
    socket.on('data', (chunk) => gateway.data(id, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(id);
      gateway.closed(id);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
    });
  } catch (err) {
    mon?.stop();
    if (store instanceof RedisStore) await store.close();
    throw err;
  }
  const listening = (server.address() as net.AddressInfo).port;
  return {
    port: listening, host, gateway, logic, store,
    get backlog() {
      return upQueue.length + port.backlog + downQueue.length;
    },
    get storeErrors() {
      return storeErrors;
    },
    async close() {
      mon?.stop();
      await new Promise<void>((resolve) => {
        for (const s of sockets.values()) s.destroy();
        server.close(() => resolve());
      });
      if (store instanceof RedisStore) await store.close();
    },
  };
}
