// Server-side detection of dead connections: a connection that has sent nothing for `idleUs` is
// closed by the connection layer (a half-open connection never says goodbye; only silence tells).
// One timer for all connections, not one each (a timer per idle connection cost ~0.5 KiB of heap on real
// time): connections are kept least recently heard first (touching one moves it to the back), so the
// timer only ever waits for the front one; when it fires it closes every connection silent for idleUs
// and re-arms for the next. Each connection is still closed the moment its silence reaches idleUs.
import type { Scheduler, TimerId } from '../ports';

export class IdleReaper {
  /** Connection -> when it was last heard from (µs), least recently heard first. */
  private readonly last = new Map<number, number>();
  private timer: TimerId | null = null;
  private sweeping = false;
  reaped = 0;

  constructor(
    private readonly sched: Scheduler,
    readonly idleUs: number,
    private readonly onIdle: (conn: number) => void,
  ) {}

  touch(conn: number): void {
    this.last.delete(conn); // to the back: most recently heard
    this.last.set(conn, this.sched.now());
    if (this.timer === null && !this.sweeping) this.arm(this.idleUs);
  }

  forget(conn: number): void {
    if (this.last.delete(conn) && this.last.size === 0 && this.timer !== null) {
      this.sched.clearTimer(this.timer); // nothing left to watch: no timer left behind
      this.timer = null;
    }
  }

  private arm(delay: number): void {
    this.timer = this.sched.setTimer(delay, () => this.sweep());
  }

  private sweep(): void {
    this.timer = null;
    this.sweeping = true; // an onIdle that touches a connection does not arm: the sweep arms once, below
    try {
      const now = this.sched.now();
      for (const [conn, last] of this.last) {
        const idle = now - last;
        if (idle < this.idleUs) {
          this.arm(this.idleUs - idle);
          return;
        }
        this.last.delete(conn);
        this.reaped++;
        this.onIdle(conn);
      }
    } finally {
      this.sweeping = false;
    }
  }
}
