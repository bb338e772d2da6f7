// Wraps a synchronous store into the asynchronous store port: the operation applies at once (in
// FIFO order, like one Redis connection) and its result reaches the caller `latencyUs` later (fixed,
// or drawn per operation: a store latency model; replies still come back in order).
// The callback never runs inside exec(), so state machines see no re-entrancy.
import type { Scheduler } from '../ports';
import { AsyncQueue } from './async-queue';
import type { StoreOp, StorePort, StoreResult, SyncStore } from './store';

export function delayedStore(store: SyncStore, sched: Scheduler, latencyUs: number | (() => number)): StorePort & { readonly backlog: number } {
  const replies = new AsyncQueue<() => void>(sched, latencyUs, (deliver) => deliver());
  return {
    exec<O extends StoreOp>(op: O, done: (r: StoreResult<O>) => void): void {
      const result = store.apply(op);
      replies.push(() => done(result));
    },
    get backlog() {
      return replies.length;
    },
  };
}
