// A logic process of a split deployment (`imsim serve --role logic`): the LogicLayer, reading the
// async queue (a Redis Stream, consumer group "logic") that every connection process writes, with
// its mailboxes in Redis and its sessions in the route table.
//
//   XREADGROUP imsim:up ─▶ LogicLayer ─▶ store scripts (mailboxes)
//                                     ─▶ route table (who is online where)
//                                     ─▶ RPUSH imsim:gw:<id>:down (only the processes concerned)
//                                        then XACK + XDEL of the request, in the same MULTI
//
// A request is acknowledged only once everything it caused is written: killed at any point
// (SIGKILL included), its requests are claimed by another logic process and handled again, which
// is safe: a retried send is stored once (the store's dedup on sender + client message id) and
// announced again, and the connection layer ignores a second answer to a request. Clients stay
// connected meanwhile: only the connection processes hold their sockets.
import type Redis from 'ioredis';
import type { Down, Up } from '../../connection/layer-messages';
import { LogicLayer, type SessionDirectory } from '../../logic/logic-layer';
import { SessionTable } from '../../logic/sessions';
import { encodeMsgSend, PUSH, type ProtocolName } from '../../protocol/messages';
import { SimpleString } from '../../wire';
import { ClusterKeys } from './cluster-keys';
import { decodeUps, encodeDown, PULL_CMD, type DownEnvelope } from './cluster-messages';
import { DEFAULT_LEASE_MS } from './connection-process';
import { QueueConsumer } from './redis-queue';
import { RouteTable } from './redis-routes';
import { RedisStore } from '../redis-store';
import { trackedStorePort, type TrackedStorePort } from '../store-port';
import { WorkTracker } from './work-tracker';

export interface LogicProcessOptions {
  redisUrl: string;
  redisPrefix?: string;
  protocol: ProtocolName;
  secret?: string;
  pageSize?: number;
  leaseMs?: number;
}

export interface RunningLogicProcess {
  /** Consumer name in the group: `logic-<n>`, new at every start. */
  readonly name: string;
  readonly logic: LogicLayer;
  readonly store: RedisStore;
  readonly consumer: QueueConsumer;
  readonly routes: RouteTable;
  /** Requests taken and not finished, plus store operations under way. */
  readonly backlog: number;
  /** Reply writes (MULTI) that failed and were sent again, and those given up after every attempt failed. */
  readonly writes: { readonly writeFailures: number; readonly gaveUp: number };
  /** Finishes the requests it took (up to a few seconds), leaves the group, gives up the lease. */
  close(): Promise<void>;
  /** What SIGKILL leaves behind, for tests: nothing more written, requests taken left unacknowledged. */
  crash(): void;
}

const OK = new SimpleString('OK');

/** Attempts at one tick's replies before they are given up (their requests are then handled again by the stuck-entry check). */
const WRITE_ATTEMPTS = 10;

/**
 * Replies and pushes per connection process, and the acks that must follow them, sent per tick in one
 * MULTI. One MULTI at a time: one that fails (nothing of it ran) is sent again, with backoff, before
 * anything queued after it, so a connection's replies keep their order and its later requests are
 * not held until the stuck-entry check (stuckMs, a minute by default) hands the lost ones out again.
 */
class DownOutbox {
  private byGw = new Map<number, string[]>();
  private scheduled = false;
  private writing: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  stopped = false;
  readonly stats = { writeFailures: 0, gaveUp: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    /** A dead connection process's List disappears this long after the last write. */
    private readonly ttlMs: number,
    /** Longest wait between two attempts at a failed write. */
    private readonly maxBackoffMs: number,
    private readonly consumer: () => QueueConsumer,
    private readonly name: () => string,
  ) {}

  down(gw: number, e: DownEnvelope): void {
    let list = this.byGw.get(gw);
    if (!list) this.byGw.set(gw, (list = []));
    list.push(encodeDown(e));
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.stopped || this.writing || this.retry) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Sends what is waiting now, after the write under way (if any); resolves once Redis answered. */
  async flush(): Promise<void> {
    this.scheduled = false;
    while (this.writing) await this.writing;
    if (this.stopped) return;
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    const sent = this.byGw;
    this.byGw = new Map();
    const multi = this.redis.multi();
    for (const [gw, items] of sent) {
      const key = this.keys.gwDown(gw);
      multi.rpush(key, ...items).pexpire(key, this.ttlMs);
    }
    const acks = this.consumer().appendAcks(multi); // after the writes they acknowledge
    if (multi.length === 0) return;
    this.writing = multi.exec().then(
      () => {
        this.failures = 0;
      },
      (err: Error) => this.failed(err, sent, acks),
    ).finally(() => {
      this.writing = null;
      this.schedule(); // what was queued meanwhile
    });
    return this.writing;
  }

  /** A MULTI failed: nothing of it happened. Its replies and acks go back in front, and are sent again soon. */
  private failed(err: Error, sent: Map<number, string[]>, acks: string[]): void {
    this.stats.writeFailures++;
    if (this.stopped) return;
    if (++this.failures >= WRITE_ATTEMPTS) {
      // Redis is away for longer than a few leases: the requests stay unacknowledged and are handled again.
      this.failures = 0;
      this.stats.gaveUp++;
      process.stderr.write(`imsim: ${this.name()}: writing replies failed ${WRITE_ATTEMPTS} times (${err.message}); their requests will be handled again\n`);
      return;
    }
    for (const [gw, items] of this.byGw) {
      const before = sent.get(gw);
      if (before) before.push(...items);
      else sent.set(gw, items);
    }
    this.byGw = sent;
    this.consumer().restoreAcks(acks);
    if (this.failures === 1) process.stderr.write(`imsim: ${this.name()}: writing replies failed (${err.message}); trying again\n`);
    const delay = Math.min(this.maxBackoffMs, 25 * 2 ** (this.failures - 1));
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.flush();
    }, delay);
  }
}

export async function startLogicProcess(opts: LogicProcessOptions): Promise<RunningLogicProcess> {
  const keys = new ClusterKeys(opts.redisPrefix);
  const store = await RedisStore.connect(opts.redisUrl, { prefix: opts.redisPrefix });
  // One connection for the store, the routes, the replies and the acks: Redis runs a connection's
  // commands in order, so a route is written before the login verdict, a message stored before
  // its recipients are looked up, and every reply before the ack of its request.
  const redis = store.redis;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const routes = new RouteTable(redis, keys);
  let consumer!: QueueConsumer;
  let name = '';
  const outbox = new DownOutbox(redis, keys, Math.max(60_000, 20 * leaseMs), leaseMs, () => consumer, () => name);
  // A queue entry is a batch of one connection's requests: acknowledged once all of them finished.
  const entryOf = new WeakMap<Up, { id: string; left: number; ok: boolean }>();
  const work = new WorkTracker<Up>((up, ok) => {
    const e = entryOf.get(up);
    if (!e) return;
    e.ok &&= ok;
    if (--e.left > 0) return;
    if (e.ok) consumer.ack(e.id);
    else consumer.abandon(e.id); // handled again later
    outbox.schedule();
  });
  const port: TrackedStorePort = trackedStorePort(store, work, {
    reply: (gw, m) => outbox.down(gw, { d: m }),
    drop: (gw, conn) => outbox.down(gw, { drop: conn }),
    dropUser: () => {}, // every operation here is started by a request: never without an origin
  });

  /** A route write as a step of the current request: if it fails, the request is handled again. */
  const step = (p: Promise<unknown>, onFail: () => void = () => {}) => {
    const end = work.begin();
    p.then(() => end(), () => end(onFail, true));
  };

  // Sessions logged in here, for eviction: a `closed` may be handled by another logic process.
  const openedAt = new Map<string, { gw: number; conn: number; at: number }>();
  let logic!: LogicLayer;
  const directory: SessionDirectory = {
    opened: (s) => {
      openedAt.set(s.key, { gw: s.gw, conn: s.conn, at: Date.now() });
      step(routes.add(s.user, s.gw, s.conn), () => outbox.down(s.gw, { drop: s.conn }));
    },
    closed: (gw, conn, user) => {
      openedAt.delete(SessionTable.key(gw, conn));
      step(routes.remove(user, gw, conn));
    },
    lookup: (user, then) => {
      const end = work.begin();
      routes.lookup(user).then(
        (rs) => end(() => then(rs.map((r) => logic.sessions.get(r.gw, r.conn) ?? SessionTable.detached(r.gw, r.conn, user)))),
        () => end(undefined, true), // not announced: the request (a send) is handled again, and announced then
      );
    },
  };
  // Queue protocol: a logic process never pushes bodies itself, since another may be pushing on the
  // same connection (its login read, or a message it stored) and their writes could cross (twice the
  // same message, or a new one before the backlog). It tells the connection process to send a pull
  // up instead; pulls run one at a time per connection, in order with its other requests.
  const toGateway = (gw: number, m: Down) => {
    if (opts.protocol === 'queue' && m.k === 'push' && m.items[0] === PUSH.msgSend && m.user !== undefined) outbox.down(gw, { pull: m.conn, user: m.user });
    else outbox.down(gw, { d: m });
  };
  const pageSize = opts.pageSize ?? 100;
  /** A pull: pushes what the List holds beyond what this connection was pushed, notes the newest, answers. */
  const pull = (up: Extract<Up, { k: 'cmd' }>) => {
    const { gw, conn, user, req } = up;
    const answer = () => outbox.down(gw, { d: { k: 'reply', conn, req, reply: OK } });
    const end = work.begin();
    routes.pushed(user, gw, conn).then(
      (after) => end(() => {
        if (after === null) return answer(); // the connection closed: nothing to push
        port.exec({ op: 'range', mode: 'queue', user, after, limit: Number.MAX_SAFE_INTEGER }, (r) => {
          const fresh = r.msgs.filter((m) => m.id > after);
          for (let i = 0; i < fresh.length; i += pageSize) {
            outbox.down(gw, { d: { k: 'push', conn, user, items: encodeMsgSend(fresh.slice(i, i + pageSize)) } });
          }
          // Written before the answer goes out, so the next pull of this connection reads it.
          if (fresh.length > 0) step(routes.setPushed(user, gw, conn, fresh[fresh.length - 1].id));
          answer();
        });
      }),
      () => end(undefined, true), // handled again
    );
  };
  const isPull = (up: Up): up is Extract<Up, { k: 'cmd' }> => up.k === 'cmd' && up.req < 0 && up.args[0] === PULL_CMD;

  logic = new LogicLayer(port, toGateway, {
    protocol: opts.protocol, secret: opts.secret, pageSize: opts.pageSize, directory,
  });

  try {
    name = `logic-${await redis.incr(keys.logicSeq)}`;
    consumer = await QueueConsumer.start(
      redis,
      { key: keys.up, group: keys.group, name, leaseKey: (n) => keys.logicAlive(n), leaseMs, manualAcks: true },
      (entries) => {
        for (const e of entries) {
          const batch = decodeUps(e.body);
          if (!batch) {
            process.stderr.write(`imsim: ${name}: dropped a malformed queue entry ${e.id}\n`);
            consumer.ack(e.id);
            outbox.schedule();
            continue;
          }
          // In order: their store operations go out in this order on one connection, and take effect so.
          const entry = { id: e.id, left: batch.length, ok: true };
          for (const up of batch) entryOf.set(up, entry);
          for (const up of batch) work.handle(up, () => (isPull(up) ? pull(up) : logic.handle(up)));
        }
      },
    );
  } catch (err) {
    await store.close();
    throw err;
  }

  // The session table keeps what a login needs while it runs (the queue protocol's login read);
  // later commands are served with sessions rebuilt from the request. Old entries go.
  const SESSION_KEEP_MS = 60_000;
  const evictor = setInterval(() => {
    const cutoff = Date.now() - SESSION_KEEP_MS;
    for (const [key, o] of openedAt) {
      if (o.at > cutoff) break; // Map keeps insertion order: the rest are newer
      openedAt.delete(key);
      logic.sessions.close(o.gw, o.conn);
    }
  }, 10_000);
  evictor.unref();

  return {
    name, logic, store, consumer, routes, writes: outbox.stats,
    get backlog() {
      return consumer.inFlight + port.backlog;
    },
    async close() {
      clearInterval(evictor);
      await consumer.close(5000, () => outbox.flush()); // the last acks go out with the last replies
      outbox.stopped = true;
      await store.close();
    },
    crash() {
      clearInterval(evictor);
      outbox.stopped = true;
      consumer.crash();
      redis.disconnect();
    },
  };
}
