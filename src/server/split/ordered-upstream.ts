// In order, per connection, for a connection process of a split deployment. In one process the
// async queue is a FIFO and one logic layer takes its requests in order; with several logic
// processes reading one Redis queue, two requests of one connection taken by two of them could
// finish out of order (alice's second message stored before her first). So a connection has one
// batch of requests in the logic layer at a time: the first request goes up at once, those that
// arrive while it is handled wait and go up together, as one queue entry, once it is answered.
// One logic process takes a whole batch and starts its requests in order on one Redis connection,
// so they take effect in order. Answers are matched by request number: a second answer to a
// redelivered request releases nothing.
import type { Up } from '../../connection/layer-messages';

interface ConnState {
  /** Request numbers of the batch up in the logic layer, not answered yet. */
  waiting: Set<number>;
  queue: Up[];
}

/** Most requests in one batch. */
export const MAX_BATCH = 64;

export class OrderedUpstream {
  private readonly conns = new Map<number, ConnState>();
  /** Requests of the connection process itself (PULL_CMD) are numbered -1, -2, ...: never a client's. */
  private own = 0;

  constructor(private readonly forward: (batch: Up[]) => void) {}

  up(m: Up): void {
    const c = this.conns.get(m.conn);
    if (m.k === 'closed') {
      if (!c || c.waiting.size === 0) {
        this.conns.delete(m.conn);
        this.forward([m]);
      } else {
        // Requests not sent up yet are dropped: their client saw no answer and sends them again
        // on its next connection. `closed` goes up after the batch being handled.
        c.queue = [m];
      }
      return;
    }
    if (!c) {
      this.conns.set(m.conn, { waiting: new Set([m.req]), queue: [] });
      this.forward([m]);
    } else if (c.waiting.size === 0) {
      c.waiting.add(m.req);
      this.forward([m]);
    } else {
      c.queue.push(m);
    }
  }

  /**
   * Sends a pull (PULL_CMD) up for `conn`, in order with its requests. One waiting is enough: it reads
   * everything stored before it runs. Nothing for a connection that closed (or never logged in).
   */
  pull(gw: number, conn: number, user: string, cmd: string): void {
    const c = this.conns.get(conn);
    if (!c || c.queue.some((m) => m.k === 'closed' || (m.k === 'cmd' && m.req < 0))) return;
    this.up({ k: 'cmd', gw, conn, req: -++this.own, user, args: [cmd] });
  }

  /** The logic layer answered request `req` of `conn` (a reply or a login verdict). */
  answered(conn: number, req: number): void {
    const c = this.conns.get(conn);
    if (!c || !c.waiting.delete(req) || c.waiting.size > 0 || c.queue.length === 0) return;
    if (c.queue[0].k === 'closed') {
      this.conns.delete(conn);
      this.forward(c.queue);
      return;
    }
    let n = 0;
    while (n < c.queue.length && n < MAX_BATCH && c.queue[n].k !== 'closed') n++;
    const batch = c.queue.splice(0, n);
    for (const m of batch) if (m.k !== 'closed') c.waiting.add(m.req);
    this.forward(batch);
  }

  /** Requests up in the logic layer now, and requests waiting behind them. */
  get backlog(): { up: number; waiting: number } {
    let up = 0, waiting = 0;
    for (const c of this.conns.values()) {
      up += c.waiting.size;
      waiting += c.queue.length;
    }
    return { up, waiting };
  }
}
