// The real runtime of the server: the same Gateway and LogicLayer the simulator drives, here fed
// by net.Socket. One process holds both layers, joined by the same async queue. Mailboxes live in
// the embedded store (answers on the next tick) or, with `redisUrl`, in Redis.
import { Gateway, type OutputBufferOptions } from '../connection/gateway';
import type { Down, Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import { delayedStore } from '../logic/delayed-store';
import { LogicLayer } from '../logic/logic-layer';
import { MemoryStore } from '../logic/memory-store';
import type { StorePort } from '../logic/store';
import type { ProtocolName } from '../protocol/messages';
import type { Monitor } from '../monitor';
import { socketsFor, type ConnectionBacklog, type ConnectionGuards } from './gateway-sockets';
import { serverMonitoring } from './monitoring';
import { realScheduler } from './real-scheduler';
import { RedisStore } from './redis-store';
import { trackedStorePort } from './store-port';
import { WorkTracker } from './split/work-tracker';

/**
 * ConnectionGuards: reply limits (on by default: DEFAULT_REPLY_LIMITS), the login deadline (default 60 s),
 * an idle timeout (`idleMs`, default off) and `maxConnections` (default none) -- see gateway-sockets.ts.
 */
export interface ServeOptions extends ConnectionGuards {
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
  /** Bound the pushes kept for a client that cannot keep up (the gateway's output buffer). Default: unbounded. */
  output?: OutputBufferOptions;
}

/** `imsim serve --output-buffer`'s default: pushes held for one slow connection beyond its socket's share (as scenario S7). */
export const DEFAULT_OUTPUT_BUFFER_BYTES = 16 * 1024;


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
  /** Bytes held for one connection (as the simulator's World.serverBacklog): for slow consumers. */
  backlogOf(conn: number): ConnectionBacklog;
  /** What the connection guards did: reads paused for unread replies, connections closed without login in time / for silence, refused over maxConnections. */
  readonly guarded: { readPauses: number; loginTimeouts: number; idle: number; refused: number };
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7379;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const sched = realScheduler();
  const sockets = socketsFor(opts.output, opts);
  let gateway!: Gateway;
  let logic!: LogicLayer;
  const downQueue = new AsyncQueue<Down>(sched, 0, (m) => gateway.downstream(m));
  // The request the logic layer works for: the store operations it starts belong to it.
  const work = new WorkTracker<Up>();
  const upQueue = new AsyncQueue<Up>(sched, 0, (m) => work.handle(m, () => logic.handle(m)));

  let store: MemoryStore | RedisStore;
  let port: StorePort & { readonly backlog: number; readonly errors?: number };
  if (opts.redisUrl) {
    const redis = await RedisStore.connect(opts.redisUrl, { prefix: opts.redisPrefix });
    store = redis;
    port = trackedStorePort(redis, work, {
      reply: (_gw, m) => downQueue.push(m),
      drop: (_gw, conn) => sockets.destroy(conn),
      // a read after a store: close the user's connections, so their clients read the mailbox afresh
      dropUser: (user) => {
        for (const s of logic.sessions.of(user)) sockets.destroy(s.conn);
      },
    });
  } else {
    store = new MemoryStore();
    port = delayedStore(store, sched, 0);
  }

  const mon = opts.monitor ? serverMonitoring(opts.monitor, { htimeUs: opts.htimeUs }) : null;
  logic = new LogicLayer(port, (_gw, m) => downQueue.push(m), {
    protocol: opts.protocol, secret: opts.secret, pageSize: opts.pageSize, ...mon?.logic,
  });
  gateway = new Gateway(sockets.transport, (m) => upQueue.push(m), { ...mon?.gateway, output: opts.output, replyLimits: sockets.replyLimits });
  mon?.start(() => upQueue.length + port.backlog + downQueue.length);

  const host = opts.host ?? '127.0.0.1';
  let listening: number;
  try {
    listening = await sockets.listen(gateway, host, opts.port ?? DEFAULT_PORT);
  } catch (err) {
    mon?.stop();
    if (store instanceof RedisStore) await store.close();
    throw err;
  }
  return {
    port: listening, host, gateway, logic, store,
    get backlog() {
      return upQueue.length + port.backlog + downQueue.length;
    },
    get storeErrors() {
      return port.errors ?? 0;
    },
    backlogOf: (conn) => ({ socket: sockets.buffered(conn), held: gateway.heldBytes(conn) }),
    get guarded() {
      return { readPauses: sockets.pausedCount, ...sockets.guarded };
    },
    async close() {
      mon?.stop();
      await sockets.close();
      if (store instanceof RedisStore) await store.close();
    },
  };
}
