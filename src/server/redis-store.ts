// The store port over a real Redis (ioredis), with the deck's structures: a List per user for the
// queue protocol; a Sorted Set per user scored by version, plus an INCR counter, for the versioned
// protocol. Every store operation is one Lua script (redis-scripts.ts), run as one EVALSHA, so a
// crash between its steps cannot lose or duplicate anything. Same semantics as MemoryStore.
//
// Keys, for the default prefix `imsim:` and user bob (the `{bob}` hash tag keeps all of a user's keys
// in one Redis Cluster slot, as a script needs):
//   imsim:{bob}:queue            List of messages        imsim:{bob}:queue:seq       its INCR counter
//   imsim:{bob}:versioned        Sorted Set by version   imsim:{bob}:versioned:seq   its INCR counter
//   imsim:{bob}:<mode>:dup:["alice","c-1"]   `<id>:<body hash>` stored for that (sender, client message id), expiring
//
// Errors. The StorePort has no error path: a failed operation never calls `done` (no reply would be
// right: an append that failed must not be acknowledged). It goes to `onError` instead, which the
// runtime sets (tcp-server.ts turns it into an error reply to the request that caused it).
import Redis, { type RedisOptions } from 'ioredis';
import type { ProtocolName, StoredMsg } from '../protocol/messages';
import { bodyHash, mailboxCap, type AckResult, type AppendResult, type RangeResult, type StoreOp, type StorePort, type StoreResult } from '../logic/store';
import { ACK_LUA, APPEND_LUA, RANGE_LUA } from './redis-scripts';

export interface RedisStoreOptions {
  /** Prepended to every key (default `imsim:`). */
  prefix?: string;
  /** Versioned history kept per user (>= 1); older versions are trimmed (default 100 000, as MemoryStore). */
  maxHistory?: number;
  /** Queue protocol: most messages a user's List holds unacknowledged (>= 1, default 100 000); a send beyond is refused. */
  maxQueued?: number;
  /** How long a (sender, client message id) is remembered to drop retried sends, in seconds (default 7 days). */
  dedupTtlSec?: number;
  /** Extra ioredis options (tests use them; the defaults suit a server). */
  redis?: RedisOptions;
}

export const DEFAULT_PREFIX = 'imsim:';
const DEFAULT_DEDUP_TTL_SEC = 7 * 24 * 3600;
const MAX_SCRIPT_INT = 2 ** 31 - 1; // numbers that Lua formats back exactly ("%.14g")

/** What a failed store operation reports. */
export type StoreErrorHandler = (op: StoreOp, err: Error) => void;

interface ScriptCommands {
  imsimAppend(k1: string, k2: string, k3: string, mode: string, tail: string, ttl: number, cap: number, hash: string): Promise<[number, number]>;
  imsimRange(k1: string, k2: string, mode: string, after: string, limit: string): Promise<(number | string)[]>;
  imsimAck(key: string, ...ids: string[]): Promise<number>;
}

/** Redis keeps `{`, `}` as hash-tag delimiters: escape them (and `%`) so any user name makes one exact tag. */
export function tag(user: string): string {
  return /[%{}]/.test(user) ? user.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : user;
}

function nonNegativeInt(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`RedisStore: ${what} must be a non-negative integer, got ${n}`);
  return String(n);
}

export class RedisStore implements StorePort {
  /** Where failed operations go; the default rethrows (an unhandled error, never a silent loss). */
  onError: StoreErrorHandler = (_op, err) => {
    throw err;
  };

  readonly prefix: string;
  /** The Redis URL without its password (set by connect), for messages. */
  shownUrl = '';
  private readonly maxHistory: number;
  private readonly maxQueued: number;
  private readonly dedupTtlSec: number;
  private readonly cmds: ScriptCommands;

  constructor(readonly redis: Redis, opts: RedisStoreOptions = {}) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.maxHistory = mailboxCap('RedisStore', 'maxHistory', opts.maxHistory, MAX_SCRIPT_INT);
    this.maxQueued = mailboxCap('RedisStore', 'maxQueued', opts.maxQueued, MAX_SCRIPT_INT);
    this.dedupTtlSec = opts.dedupTtlSec ?? DEFAULT_DEDUP_TTL_SEC;
    if (!Number.isSafeInteger(this.dedupTtlSec) || this.dedupTtlSec < 1 || this.dedupTtlSec > MAX_SCRIPT_INT) {
      throw new RangeError(`RedisStore: dedupTtlSec must be an integer in [1, ${MAX_SCRIPT_INT}], got ${this.dedupTtlSec}`);
    }
    redis.defineCommand('imsimAppend', { numberOfKeys: 3, lua: APPEND_LUA });
    redis.defineCommand('imsimRange', { numberOfKeys: 2, lua: RANGE_LUA, readOnly: true });
    redis.defineCommand('imsimAck', { numberOfKeys: 1, lua: ACK_LUA });
    this.cmds = redis as unknown as ScriptCommands;
  }

  /**
   * Connects to Redis at `url` (redis://[user:pass@]host:port[/db]) and checks it answers.
   * Throws an Error that says what to do when it cannot be reached.
   */
  static async connect(url: string, opts: RedisStoreOptions = {}): Promise<RedisStore> {
    mailboxCap('RedisStore', 'maxHistory', opts.maxHistory, MAX_SCRIPT_INT); // bad options: no connection left open
    mailboxCap('RedisStore', 'maxQueued', opts.maxQueued, MAX_SCRIPT_INT);
    const { redis, shown } = await connectRedis(url, 'imsim-store', opts.redis);
    const store = new RedisStore(redis, opts);
    store.shownUrl = shown;
    return store;
  }

  /** The keys of a user's mailbox: its List or Sorted Set, and its INCR counter. */
  keys(user: string, mode: ProtocolName): { box: string; seq: string } {
    const box = `${this.prefix}{${tag(user)}}:${mode}`;
    return { box, seq: `${box}:seq` };
  }

  /** The key remembering which id a (sender, client message id) got. */
  dedupKey(user: string, mode: ProtocolName, from: string, cmid: string): string {
    return `${this.keys(user, mode).box}:dup:${JSON.stringify([from, cmid])}`;
  }

  exec<O extends StoreOp>(op: O, done: (result: StoreResult<O>) => void): void {
    // ioredis settles promises asynchronously: `done` never runs inside exec().
    this.run(op).then(done, (err: Error) => this.onError(op, err));
  }

  /** The same operation as a promise (tests, tools). */
  run<O extends StoreOp>(op: O): Promise<StoreResult<O>> {
    switch (op.op) {
      case 'append':
        return this.append(op.mode, op.user, op.from, op.cmid, op.body) as Promise<StoreResult<O>>;
      case 'range':
        return this.range(op.mode, op.user, op.after, op.limit) as Promise<StoreResult<O>>;
      case 'ack':
        return this.ack(op.user, op.ids) as Promise<StoreResult<O>>;
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect(); // not connected right now: just stop reconnecting
    }
  }

  private async append(mode: ProtocolName, user: string, from: string, cmid: string, body: string): Promise<AppendResult> {
    const k = this.keys(user, mode);
    const tail = JSON.stringify([from, cmid, body]).slice(1); // the script puts `[<id>,` in front
    const cap = mode === 'queue' ? this.maxQueued : this.maxHistory;
    const [id, how] = await this.cmds.imsimAppend(
      k.box, k.seq, this.dedupKey(user, mode, from, cmid), mode, tail, this.dedupTtlSec, cap, bodyHash(body),
    );
    if (how === 3) return { refused: 'full', cap: id };
    if (how === 2) return { refused: 'cmid-reused', id };
    return { id, dup: how === 1 };
  }

  private async range(mode: ProtocolName, user: string, after: number, limit: number): Promise<RangeResult> {
    const k = this.keys(user, mode);
    const r = await this.cmds.imsimRange(k.box, k.seq, mode, nonNegativeInt(after, 'after'), nonNegativeInt(limit, 'limit'));
    const msgs: StoredMsg[] = new Array(r.length - 2);
    for (let i = 2; i < r.length; i++) msgs[i - 2] = decodeMember(r[i] as string);
    return { msgs, latest: r[0] as number, oldest: r[1] as number };
  }

  private async ack(user: string, ids: number[]): Promise<AckResult> {
    if (ids.length === 0) return { removed: 0 };
    const removed = await this.cmds.imsimAck(this.keys(user, 'queue').box, ...ids.map((id) => nonNegativeInt(id, 'an acked id')));
    return { removed };
  }
}

/** A List element or Sorted Set member back into a message. */
export function decodeMember(member: string): StoredMsg {
  const [id, from, cmid, body] = JSON.parse(member) as [number, string, string, string];
  return { id, from, cmid, body };
}

/**
 * Connects to Redis at `url` (redis://[user:pass@]host:port[/db]) and checks it answers; `shown` is
 * the URL without its password. Throws an Error that says what to do when it cannot be reached.
 * Later connection errors surface as failed commands; ioredis reconnects by itself.
 */
export async function connectRedis(url: string, name: string, extra: RedisOptions = {}): Promise<{ redis: Redis; shown: string }> {
  const shown = checkUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    // A store that is down must become error replies soon, not requests that wait for ever.
    maxRetriesPerRequest: 2,
    connectionName: name,
    ...extra,
  });
  let firstError: Error | null = null;
  const remember = (err: Error) => (firstError ??= err);
  redis.on('error', remember);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const why = (firstError ?? (err as Error)).message;
    throw new Error(
      `cannot reach Redis at ${shown} (${why}).\n` +
        `Start one (redis-server --port ${new URL(url).port || 6379} --save '' --appendonly no) or give the URL of a running one;\n` +
        'without --redis, imsim serve keeps mailboxes in its embedded store.',
    );
  }
  redis.off('error', remember);
  redis.on('error', () => {});
  return { redis, shown };
}

/** Checks a redis:// URL; returns it without its password, for messages. */
function checkUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid Redis URL '${url}': expected redis://host:port (or redis://user:password@host:port/db)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`invalid Redis URL '${url}': it must start with redis:// or rediss://`);
  }
  if (u.password) u.password = '***';
  return u.toString();
}
