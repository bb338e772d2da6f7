// A reliable queue on a Redis Stream with a consumer group: the async queue between connection
// processes (producers) and logic processes (consumers) of a split deployment.
//
//  - A producer XADDs entries. Each consumer reads new entries with XREADGROUP: Redis moves each
//    to that consumer's pending entries list (PEL) until the consumer acknowledges it.
//  - A consumer acknowledges an entry (XACK, then XDEL: the stream holds only work not done) once
//    everything the entry caused is written; a consumer killed before that leaves it pending.
//  - Each consumer holds a lease. Every lease/2 each consumer looks for consumers whose lease is
//    gone and claims their pending entries (XCLAIM, with a minimum idle time so that of two
//    consumers racing for the same dead one's entries only the first gets them), handles them,
//    and deletes the dead consumer once it has nothing pending. So an entry taken but never
//    acknowledged is handled again, once, by one other consumer.
//  - An entry of a live consumer that stays unacknowledged far longer than any handling takes
//    (its acknowledgement failed to reach Redis) is handled again by that consumer.
// Handling must therefore be idempotent: in imsim it is (retried sends are stored once, replies to
// a request already answered are ignored by the connection layer).
import type { ChainableCommander, default as Redis } from 'ioredis';
import { Lease } from './lease';

export interface QueueEntry {
  id: string;
  body: string;
  /** True when this entry was handed out before (a dead consumer's, or a stuck one). */
  redelivered: boolean;
}

export interface QueueConsumerOptions {
  key: string;
  group: string;
  /** This consumer's name (unique per process incarnation). */
  name: string;
  /** The lease key of a consumer's name (its lease is what tells others it lives). */
  leaseKey: (name: string) => string;
  /** Lease length, ms: a killed consumer's entries are claimed within about 1.5x this. */
  leaseMs: number;
  /** Most entries read at once (default 256). */
  batch?: number;
  /** An own entry unacknowledged this long (and not being handled) is handled again (default 20x leaseMs). */
  stuckMs?: number;
  /**
   * The caller sends the acks itself, in its own transaction after the writes they must follow
   * (appendAcks); otherwise each tick's acks go out by themselves.
   */
  manualAcks?: boolean;
}

const FIELD = 'b';

/** Creates the consumer group (reading from the first entry) unless it exists; creates the stream too. */
export async function ensureGroup(redis: Redis, key: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!/BUSYGROUP/.test((err as Error).message)) throw err;
  }
}

/** Appends entries in order, in one round trip. */
export async function enqueue(redis: Redis, key: string, bodies: readonly string[]): Promise<(Error | null)[]> {
  const p = redis.pipeline();
  for (const b of bodies) p.xadd(key, '*', FIELD, b);
  const results = (await p.exec()) ?? [];
  return bodies.map((_, i) => results[i]?.[0] ?? null);
}

type RawEntry = [id: string, fields: string[]] | null;

function toEntry(raw: RawEntry, redelivered: boolean): QueueEntry | null {
  if (!raw) return null; // deleted meanwhile
  const [id, fields] = raw;
  const i = fields.indexOf(FIELD);
  return { id, body: i >= 0 ? fields[i + 1] : '', redelivered };
}

/** Fields of one XINFO CONSUMERS row (a flat name/value array). */
function field(row: (string | number)[], name: string): string | number | undefined {
  const i = row.indexOf(name);
  return i >= 0 && i % 2 === 0 ? row[i + 1] : undefined;
}

export class QueueConsumer {
  /** Entries handed to the handler and not acknowledged yet. */
  private readonly handedOut = new Set<string>();
  private acks: string[] = [];
  private stopped = false;
  private reaper: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();
  readonly stats = { read: 0, claimed: 0, acked: 0, reclaimedOwn: 0, deadConsumers: 0 };

  private constructor(
    /** Acks, claims and leases: the caller's command connection, so an ack follows the writes it issued before. */
    private readonly redis: Redis,
    /** A connection of its own for the blocking reads. */
    private readonly blocking: Redis,
    private readonly lease: Lease,
    readonly opts: Required<QueueConsumerOptions>,
    private readonly handler: (entries: QueueEntry[]) => void,
  ) {}

  /**
   * Joins the group and starts reading. `handler` gets entries in stream order; call ack(id) for
   * each once its effects are written.
   */
  static async start(redis: Redis, opts: QueueConsumerOptions, handler: (entries: QueueEntry[]) => void): Promise<QueueConsumer> {
    const full: Required<QueueConsumerOptions> = { batch: 256, stuckMs: opts.leaseMs * 20, manualAcks: false, ...opts };
    await ensureGroup(redis, full.key, full.group);
    const lease = await Lease.acquire(redis, full.leaseKey(full.name), full.leaseMs, () => {
      process.stderr.write(`imsim: consumer ${full.name} stalled past its lease; its entries may be handled twice (harmless)\n`);
    });
    const blocking = redis.duplicate({ connectionName: `${full.name}-reader` });
    blocking.on('error', () => {});
    const c = new QueueConsumer(redis, blocking, lease, full, handler);
    c.reading = c.readLoop();
    c.reaper = setInterval(() => void c.reap().catch(() => {}), Math.max(10, Math.floor(full.leaseMs / 2)));
    c.reaper.unref();
    return c;
  }

  get name(): string {
    return this.opts.name;
  }

  /** Entries handed out and not acknowledged yet. */
  get inFlight(): number {
    return this.handedOut.size;
  }

  /**
   * Marks an entry done. Its XACK + XDEL go out with this tick's others, after every command issued
   * before on the same connection (ioredis keeps a connection's commands in order), or with the
   * caller's transaction (manualAcks).
   */
  ack(id: string): void {
    if (!this.handedOut.delete(id)) return;
    this.acks.push(id);
    if (!this.opts.manualAcks && this.acks.length === 1) setImmediate(() => void this.flushAcks());
  }

  /**
   * Gives an entry back without acknowledging it (its handling failed part-way): it stays pending,
   * and the stuck-entry check hands it out again after stuckMs.
   */
  abandon(id: string): void {
    this.handedOut.delete(id);
  }

  /** Adds the acks marked so far to the caller's transaction (manualAcks); returns their ids. */
  appendAcks(multi: ChainableCommander): string[] {
    const ids = this.acks;
    this.acks = [];
    if (ids.length === 0) return ids;
    this.stats.acked += ids.length;
    multi.xack(this.opts.key, this.opts.group, ...ids).xdel(this.opts.key, ...ids);
    return ids;
  }

  /** The caller's transaction carrying these acks failed (nothing of it ran): they go out with the next one. */
  restoreAcks(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.stats.acked -= ids.length;
    this.acks = [...ids, ...this.acks];
  }

  private async flushAcks(): Promise<void> {
    if (this.acks.length === 0) return;
    const multi = this.redis.multi();
    this.appendAcks(multi);
    // Failed acks leave the entries pending: the stuck-entry check handles them again later.
    await multi.exec().catch(() => {});
  }

  private deliver(entries: QueueEntry[]): void {
    if (entries.length === 0 || this.stopped) return;
    for (const e of entries) this.handedOut.add(e.id);
    this.handler(entries);
  }

  private async readLoop(): Promise<void> {
    const { key, group, name, batch } = this.opts;
    while (!this.stopped) {
      try {
        const r = (await this.blocking.xreadgroup('GROUP', group, name, 'COUNT', batch, 'BLOCK', 1000, 'STREAMS', key, '>')) as
          [string, RawEntry[]][] | null;
        if (!r) continue;
        const entries = r[0][1].map((e) => toEntry(e, false)).filter((e): e is QueueEntry => e !== null);
        this.stats.read += entries.length;
        this.deliver(entries);
      } catch (err) {
        if (this.stopped) return;
        if (/NOGROUP/.test((err as Error).message)) await ensureGroup(this.redis, key, group).catch(() => {});
        await new Promise((r) => setTimeout(r, 100)); // Redis away: try again soon
      }
    }
  }

  /**
   * Claims the pending entries of consumers whose lease is gone, and own entries stuck unacknowledged;
   * hands them to the handler. Returns how many it handed out. Runs by itself every lease/2.
   */
  async reap(): Promise<number> {
    if (this.stopped) return 0;
    const { key, group, name, leaseKey, leaseMs, stuckMs } = this.opts;
    const rows = (await this.redis.xinfo('CONSUMERS', key, group)) as (string | number)[][];
    const others = rows.map((r) => ({ name: String(field(r, 'name')), pending: Number(field(r, 'pending') ?? 0) }))
      .filter((c) => c.name !== name);
    let handed = 0;
    if (others.length > 0) {
      const alive = await this.redis.mget(...others.map((c) => leaseKey(c.name)));
      for (let i = 0; i < others.length; i++) {
        if (alive[i] !== null || this.stopped) continue;
        const dead = others[i];
        if (dead.pending > 0) {
          // min idle = lease/2: of two consumers claiming at once, the second finds them just claimed.
          const n = await this.claim(dead.name, Math.floor(leaseMs / 2));
          handed += n;
          this.stats.claimed += n;
          if (n < dead.pending) continue; // more next round (or not idle long enough yet)
        }
        await this.redis.xgroup('DELCONSUMER', key, group, dead.name);
        this.stats.deadConsumers++;
      }
    }
    // Own entries whose ack never reached Redis.
    const own = await this.claim(name, stuckMs, (id) => !this.handedOut.has(id));
    this.stats.reclaimedOwn += own;
    return handed + own;
  }

  private async claim(owner: string, minIdleMs: number, want: (id: string) => boolean = () => true): Promise<number> {
    const { key, group, name } = this.opts;
    const pending = (await this.redis.xpending(key, group, 'IDLE', minIdleMs, '-', '+', this.opts.batch, owner)) as
      [string, string, number, number][];
    const ids = pending.map((p) => p[0]).filter(want);
    if (ids.length === 0 || this.stopped) return 0;
    const raw = (await this.redis.xclaim(key, group, name, minIdleMs, ...ids)) as RawEntry[];
    const entries = raw.map((e) => toEntry(e, true)).filter((e): e is QueueEntry => e !== null);
    this.deliver(entries);
    return entries.length;
  }

  /**
   * Stops taking entries; waits (up to `waitMs`) for those handed out to be acknowledged, and for
   * `flush` (the caller's last writes, with manualAcks). Leaves the group and gives up the lease
   * only if Redis holds nothing pending for it; otherwise the lease expires and others claim the rest.
   */
  async close(waitMs = 5000, flush: () => Promise<void> = async () => this.flushAcks()): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    this.blocking.disconnect();
    await this.reading;
    const deadline = Date.now() + waitMs;
    while (this.handedOut.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    try {
      await flush();
      const [count] = (await this.redis.xpending(this.opts.key, this.opts.group)) as [number, ...unknown[]];
      const mine = count === 0 ? 0 : ((await this.redis.xpending(this.opts.key, this.opts.group, '-', '+', 1, this.opts.name)) as unknown[]).length;
      if (mine === 0) {
        await this.redis.xgroup('DELCONSUMER', this.opts.key, this.opts.group, this.opts.name);
        await this.lease.release();
        return;
      }
    } catch {
      // Redis away: leave it to the others, once the lease is gone
    }
    this.lease.stop();
  }

  /** What SIGKILL leaves behind, for tests: nothing acknowledged, reads stopped, the lease left to expire. */
  crash(): void {
    this.stopped = true;
    if (this.reaper) clearInterval(this.reaper);
    this.lease.stop();
    this.acks = [];
    this.blocking.disconnect();
  }
}
