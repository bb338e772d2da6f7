// Which request the logic layer is working for, across its asynchronous steps. It handles a request
// (an Up message) in steps: the handler starts store operations, whose callbacks may start more.
// The tracker attributes each step to the request that started it, so a failed store operation is
// answered to that request, and says when a request's last step has run, so that a logic process
// acknowledges a request it took off the Redis queue only once everything it caused is written.

interface Work<T> { item: T; open: number; failed: boolean }

/**
 * Closes a step; `then` (if any) runs attributed to the step's request. `failed`: the step did not
 * do its part, so the request must be handled again later. Only the first call counts.
 */
export type StepEnd = (then?: () => void, failed?: boolean) => void;

export class WorkTracker<T> {
  private current: Work<T> | null = null;

  /** `finished(item, ok)`: the handler of item and every step it started have run; ok unless one failed. */
  constructor(private readonly finished: (item: T, ok: boolean) => void = () => {}) {}

  /** The request being worked on right now (null outside any handler or step). */
  get origin(): T | null {
    return this.current?.item ?? null;
  }

  /** Runs the handler of `item`; the steps it starts belong to `item`. */
  handle(item: T, handler: () => void): void {
    const w: Work<T> = { item, open: 1, failed: false };
    try {
      this.within(w, handler);
    } finally {
      this.release(w);
    }
  }

  /** Starts a step of the current request (if any); call the result when it completes. */
  begin(): StepEnd {
    const w = this.current;
    if (w) w.open++;
    let ended = false;
    return (then, failed = false) => {
      if (ended) return;
      ended = true;
      if (w && failed) w.failed = true;
      try {
        if (then) this.within(w, then);
      } finally {
        if (w) this.release(w);
      }
    };
  }

  private within(w: Work<T> | null, fn: () => void): void {
    const prev = this.current;
    this.current = w;
    try {
      fn();
    } finally {
      this.current = prev;
    }
  }

  private release(w: Work<T>): void {
    if (--w.open === 0) this.finished(w.item, !w.failed);
  }
}
