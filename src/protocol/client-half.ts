// The client half of a delivery protocol, as the client core drives it.
import type { Reply } from '../wire';
import type { StoredMsg } from './messages';

export interface ClientCtx {
  /** Sends a command; `onReply` gets its reply (never called if the connection dies first). */
  request(args: string[], onReply?: (r: Reply) => void): void;
  /** A message reached the user's screen. */
  apply(m: StoredMsg): void;
  /** Versioned: versions (from, to] are gone from the server; reported, never skipped silently. */
  gap(from: number, to: number): void;
  setTimer(delayUs: number, fn: () => void): number;
  clearTimer(id: number): void;
}

export interface ClientHalf {
  /** Logged in on a new connection. */
  onLogin(ctx: ClientCtx): void;
  /** A server push (RESP3 '>' frame). */
  onPush(ctx: ClientCtx, items: readonly string[]): void;
  /** The connection died: forget per-connection state, keep per-device state. */
  onDisconnect(): void;
}
