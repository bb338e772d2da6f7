// One request per connection in the logic layer at a time, for a connection process of a split
// deployment. In one process the async queue is a FIFO and one logic layer takes its requests in
// order; with several logic processes reading one Redis queue, two requests of one connection could
// be handled at once and finish out of order (alice's second message stored before her first).
// So a connection's next request goes up only once the previous one was answered; answers are
// matched by request number, so a second answer to a redelivered request releases nothing.
import type { Up } from '../connection/layer-messages';

interface ConnState {
  /** Request number of the request up in the logic layer, or null. */
  waiting: number | null;
  queue: Up[];
}

export class OrderedUpstream {
  private readonly conns = new Map<number, ConnState>();

  constructor(private readonly forward: (m: Up) => void) {}

  up(m: Up): void {
    const c = this.conns.get(m.conn);
    if (m.k === 'closed') {
      if (!c || c.waiting === null) {
        this.conns.delete(m.conn);
        this.forward(m);
      } else {
        // Requests not sent up yet are dropped: their client saw no answer and sends them again
        // on its next connection. `closed` goes up after the one being handled.
        c.queue = [m];
      }
      return;
    }
    if (!c) {
      this.conns.set(m.conn, { waiting: m.req, queue: [] });
      this.forward(m);
    } else if (c.waiting === null) {
      c.waiting = m.req;
      this.forward(m);
    } else {
      c.queue.push(m);
    }
  }

  /** The logic layer answered request `req` of `conn` (a reply or a login verdict). */
  answered(conn: number, req: number): void {
    const c = this.conns.get(conn);
    if (!c || c.waiting !== req) return;
    c.waiting = null;
    const next = c.queue.shift();
    if (!next) return;
    if (next.k === 'closed') {
      this.conns.delete(conn);
    } else {
      c.waiting = next.req;
    }
    this.forward(next);
  }

  /** Requests up in the logic layer now, and requests waiting behind them. */
  get backlog(): { up: number; waiting: number } {
    let up = 0, waiting = 0;
    for (const c of this.conns.values()) {
      if (c.waiting !== null) up++;
      waiting += c.queue.length;
    }
    return { up, waiting };
  }

  /** Forgets every connection (the process is going away). */
  clear(): void {
    this.conns.clear();
  }
}
