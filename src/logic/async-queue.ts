// The async queue (异步队列) between the connection layer and the logic layer: a FIFO whose items
// reach the consumer `delayUs` after they were put in (a fixed delay, or one drawn per item: items
// still leave in FIFO order, each no earlier than its own delay). Its length is the deck's `cmdq`
// backlog. Both runtimes use it: the simulator with kernel timers, the real runtime with setImmediate.
import type { Scheduler, TimerId } from '../ports';

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly readyAt: number[] = [];
  private head = 0;
  private timer: TimerId | null = null;
  private lastReady = -Infinity;
  /** Items ever taken off the queue. */
  delivered = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly delayUs: number | (() => number),
    private readonly consumer: (item: T) => void,
  ) {}

  push(item: T): void {
    const d = typeof this.delayUs === 'number' ? this.delayUs : this.delayUs();
    // FIFO: never ready before the item ahead of it
    const ready = Math.max(this.sched.now() + d, this.lastReady);
    this.lastReady = ready;
    this.items.push(item);
    this.readyAt.push(ready);
    if (this.timer === null) this.arm();
  }

  /**
   * Empties the queue without delivering anything (its process died): returns what was in it, in order.
   */
  clear(): T[] {
    const lost = this.items.slice(this.head);
    this.items.length = 0;
    this.readyAt.length = 0;
    this.head = 0;
    if (this.timer !== null) this.sched.clearTimer(this.timer);
    this.timer = null;
    return lost;
  }

  /** Backlog: items put in and not yet consumed (cmdq). */
  get length(): number {
    return this.items.length - this.head;
  }

  private arm(): void {
    const wait = Math.max(0, this.readyAt[this.head] - this.sched.now());
    this.timer = this.sched.setTimer(wait, () => this.drain());
  }

  private drain(): void {
    this.timer = null;
    const now = this.sched.now();
    while (this.head < this.items.length && this.readyAt[this.head] <= now) {
      const item = this.items[this.head];
      this.head++;
      this.delivered++;
      this.consumer(item);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.readyAt.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.items.length) this.arm();
  }
}
