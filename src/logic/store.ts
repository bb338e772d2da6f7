// The store port: mailbox operations as plain data, answered later through a callback.
// Data ops (not method calls) let the simulator count and delay them and let the Redis
// store map each one to a single atomic script.
import { createHash } from 'node:crypto';
import type { ProtocolName, StoredMsg } from '../protocol/messages';

export type StoreOp =
  /** Store a message for `user` unless (from, cmid) was stored before; INCR gives its id/version. */
  | { op: 'append'; mode: ProtocolName; user: string; from: string; cmid: string; body: string }
  /** Messages with id > after, oldest first, at most `limit`. */
  | { op: 'range'; mode: ProtocolName; user: string; after: number; limit: number }
  /** Queue protocol: delete acknowledged ids from the user's List. */
  | { op: 'ack'; mode: 'queue'; user: string; ids: number[] };

/**
 * What an append did: stored it (`dup: false`, its new id), found it stored before (`dup: true`, a
 * retried send: the original id), or refused it. A refused message is not stored: the sender must be
 * told (never an +OK).
 */
export type AppendResult =
  | { id: number; dup: boolean }
  /** Queue protocol: the recipient's List already holds `cap` messages not yet acknowledged. */
  | { refused: 'full'; cap: number }
  /** The sender used this cmid for this recipient before (message `id`), with another body: a client bug, not a retry. */
  | { refused: 'cmid-reused'; id: number };

/**
 * The short hash of a body that the dedup record keeps (16 hex digits of its SHA-1): a retried send
 * has the same body; a cmid reused for another message does not, and is refused instead of dropped.
 */
export function bodyHash(body: string): string {
  return createHash('sha1').update(body, 'utf8').digest('hex').slice(0, 16);
}

/** The default most messages a queue List holds unacknowledged, and a versioned history keeps. */
export const DEFAULT_MAILBOX_CAP = 100_000;

/** Checks a store's mailbox cap option: a whole number >= 1 (0 would drop or refuse everything). */
export function mailboxCap(store: string, name: string, n: number | undefined, max = Number.MAX_SAFE_INTEGER): number {
  const v = n ?? DEFAULT_MAILBOX_CAP;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new RangeError(`${store}: ${name} must be a whole number in [1, ${max}], got ${n}`);
  }
  return v;
}
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
