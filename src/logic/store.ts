// The store port: mailbox operations as plain data, answered later through a callback.
// Data ops (not method calls) let the simulator count and delay them and let the Redis
// store map each one to a single atomic script.
import type { ProtocolName, StoredMsg } from '../protocol/messages';

export type StoreOp =
  /** Store a message for `user` unless (from, cmid) was stored before; INCR gives its id/version. */
  | { op: 'append'; mode: ProtocolName; user: string; from: string; cmid: string; body: string }
  /** Messages with id > after, oldest first, at most `limit`. */
  | { op: 'range'; mode: ProtocolName; user: string; after: number; limit: number }
  /** Queue protocol: delete acknowledged ids from the user's List. */
  | { op: 'ack'; mode: 'queue'; user: string; ids: number[] };

export interface AppendResult { id: number; dup: boolean }
export interface RangeResult { msgs: StoredMsg[]; latest: number; oldest: number }
export interface AckResult { removed: number }

export type StoreResult<O extends StoreOp> = O extends { op: 'append' }
  ? AppendResult
  : O extends { op: 'range' }
    ? RangeResult
    : AckResult;

/** Asynchronous access to mailboxes: the reply arrives later via `done` (never synchronously re-entrant). */
export interface StorePort {
  exec<O extends StoreOp>(op: O, done: (result: StoreResult<O>) => void): void;
}

/** A store that answers synchronously; runtimes wrap it into a StorePort with their own delays. */
export interface SyncStore {
  apply<O extends StoreOp>(op: O): StoreResult<O>;
}
