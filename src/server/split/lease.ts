// A process's lease in Redis: a key that lives `ms` unless renewed, renewed every ms/3. Other
// processes read "key gone" as "that process is dead": its routes are stale, its queue entries
// are to be claimed. A process that finds its own lease had lapsed (it stalled longer than `ms`)
// is told, since others may already have acted on its death.
import type Redis from 'ioredis';

export class Lease {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly ms: number,
    private readonly onLapse: () => void,
  ) {}

  static async acquire(redis: Redis, key: string, ms: number, onLapse: () => void = () => {}): Promise<Lease> {
    if (!Number.isSafeInteger(ms) || ms < 30) throw new RangeError(`lease must be a whole number of milliseconds >= 30, got ${ms}`);
    const lease = new Lease(redis, key, ms, onLapse);
    await redis.set(key, String(process.pid), 'PX', ms);
    lease.schedule();
    return lease;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), Math.max(10, Math.floor(this.ms / 3)));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    try {
      // SET ... GET (Redis >= 6.2): the old value; none means the lease had lapsed meanwhile.
      const old = await this.redis.call('SET', this.key, String(process.pid), 'PX', String(this.ms), 'GET');
      if (old === null && !this.stopped) this.onLapse();
    } catch {
      // Redis unreachable: try again at the next renewal; others see the lease lapse meanwhile.
    }
    this.schedule();
  }

  /** Stops renewing; the key expires by itself (what a crash leaves behind). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stops renewing and deletes the key: others know at once that this process is gone. */
  async release(): Promise<void> {
    this.stop();
    try {
      await this.redis.del(this.key);
    } catch {
      // it expires by itself
    }
  }
}
