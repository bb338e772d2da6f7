// What the deck's monitoring (监控) is fed with. Every runtime that wants a dashboard -- the fleet
// simulation, the protocol world, the real server -- reports these events; the monitor turns them
// into the deck's metrics (cmd, htime, cmdq, error and their _sum; tot-ses, iop-ses, p-ses,
// session; ios, eios, android, wp; message statistics vs the same period yesterday).
// Times are integer microseconds (virtual or monotonic), servers are connection-layer ids.

/** Session phases as the deck names them: physical connection, waiting for login, logged in. */
export type SessionPhase = 'iop-ses' | 'p-ses' | 'session';
export type Platform = 'ios' | 'eios' | 'android' | 'wp';
export type MessageKind = 'text' | 'image';
export type SlowConsumerEvent = 'dropped' | 'disconnect';

export interface MonitorSink {
  /** `n` requests handled by a server (cmd). */
  cmd(t: number, server: number, n?: number): void;
  /** A request that timed out (htime). */
  htime(t: number, server: number): void;
  /** A request that failed (error). */
  error(t: number, server: number): void;
  /** The async queue's backlog on a server, sampled (cmdq). */
  cmdq(t: number, server: number, depth: number): void;
  /**
   * A connection moved between phases; `from` null = opened, `to` null = closed. A runtime that learns a
   * connection's platform only later (the real server, at login) reports it closed under the platform it
   * assumed and opened under the real one, in the same phase, so tot-ses = Σ phases = Σ platforms holds.
   */
  session(t: number, server: number, platform: Platform, from: SessionPhase | null, to: SessionPhase | null): void;
  /** A message was delivered (text on the long connection, image via HTTP). */
  message(t: number, kind: MessageKind): void;
  /**
   * Not one of the deck's metrics: the connection layer's output buffer acted on a slow consumer -- a push
   * `dropped` (drop-newest / drop-oldest), or a connection closed (`disconnect`). Optional for sinks.
   */
  slowConsumer?(t: number, server: number, what: SlowConsumerEvent): void;
}
