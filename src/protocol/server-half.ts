// The server half of a delivery protocol, as the logic layer drives it. Each half is a small
// set of reactions: a session logged in, a message was stored for a user, a command arrived.
import type { StorePort } from '../logic/store';
import type { Reply } from '../wire';
import type { StoredMsg } from './messages';

/** One logged-in connection, as the logic layer sees it. */
export interface Session {
  key: string;
  gw: number;
  conn: number;
  user: string;
  /** Queue protocol: ids pushed on this connection and not yet acknowledged (per-message server state). */
  inflight: Set<number>;
  /** Queue protocol: a login read is under way; new messages wait behind it to keep FIFO order. */
  loading: boolean;
  /** Versioned protocol: the last version this device confirmed with msg-fin. */
  cursor: number;
}

export interface ServerCtx {
  readonly store: StorePort;
  /** Most messages one msg-sync reply (or one msg-send push) carries. */
  readonly pageSize: number;
  reply(s: Session, req: number, reply: Reply): void;
  push(s: Session, items: string[]): void;
  /** Still logged in? (a store reply may come back after the connection closed) */
  alive(s: Session): boolean;
}

export interface ServerHalf {
  onLogin(ctx: ServerCtx, s: Session): void;
  onStored(ctx: ServerCtx, sessions: Iterable<Session>, msg: StoredMsg): void;
  /**
   * A send was retried and the store already had it (same sender and client message id). The
   * first attempt may have died between storing and announcing it (a logic process killed right
   * after the store answered): announce it again where that is harmless.
   */
  onRetried(ctx: ServerCtx, sessions: Iterable<Session>, msg: StoredMsg): void;
  /** Handles a protocol command; false when the command belongs to the other protocol. */
  onCommand(ctx: ServerCtx, s: Session, req: number, args: readonly string[]): boolean;
}
