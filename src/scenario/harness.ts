// What a scripted scenario needs from a runtime. The simulator and real sockets both implement
// it, so one script runs in both and their outcomes can be compared.
import type { ClientOptions } from '../protocol/client';
import type { ProtocolName } from '../protocol/messages';
import type { Ledger } from '../sim/ledger';

export interface Harness {
  readonly protocol: ProtocolName;
  readonly ledger: Ledger;
  /** Frames each user's client sent and received, by kind (`send`, `reply:send`, `msg-psh`, ...). */
  frameCounts(user: string): Map<string, number>;
  /** Creates the user's client and waits until it is logged in. */
  login(user: string, opts?: Partial<ClientOptions>): Promise<void>;
  /** Sends messages from one user to another; returns once all are handed to the client. */
  send(from: string, to: string, bodies: string[]): void;
  /** The network drops the user's connection; waits until both ends know. */
  drop(user: string): Promise<void>;
  /** The user's app connects again; waits until it is logged in. */
  reconnect(user: string): Promise<void>;
  /** Waits until `cond` holds (and every client has its replies and the queues are empty). */
  settle(what: string, cond?: () => boolean): Promise<void>;
  close(): Promise<void>;
}
