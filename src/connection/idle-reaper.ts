// Server-side detection of dead connections: a connection that has sent nothing for `idleUs` is
// closed by the connection layer (a half-open connection never says goodbye; only silence tells).
// One lazy timer per connection: touching only records the time; the timer re-arms itself for
// the remainder when it fires early, so a busy connection costs no timer churn.
import type { Scheduler, TimerId } from '../ports';

export class IdleReaper {
  private readonly last = new Map<number, number>();
  private readonly timers = new Map<number, TimerId>();
  reaped = 0;

  constructor(
    private readonly sched: Scheduler,
    readonly idleUs: number,
    private readonly onIdle: (conn: number) => void,
  ) {}

  touch(conn: number): void {
    this.last.set(conn, this.sched.now());
    if (!this.timers.has(conn)) this.arm(conn, this.idleUs);
  }

  forget(conn: number): void {
    this.last.delete(conn);
    const t = this.timers.get(conn);
    if (t !== undefined) this.sched.clearTimer(t);
    this.timers.delete(conn);
  }

  private arm(conn: number, delay: number): void {
    this.timers.set(conn, this.sched.setTimer(delay, () => {
      this.timers.delete(conn);
      const last = this.last.get(conn);
      if (last === undefined) return;
      const idle = this.sched.now() - last;
      if (idle >= this.idleUs) {
        this.last.delete(conn);
        this.reaped++;
        this.onIdle(conn);
      } else {
        this.arm(conn, this.idleUs - idle);
      }
    }));
  }
}
