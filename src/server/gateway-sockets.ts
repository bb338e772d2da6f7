// The gateway's sockets: a TCP listener whose connections feed a Gateway (the connection layer),
// and the transport the Gateway writes through. Used by the single-process server and by a
// connection process of a split deployment alike.
//
// Slow consumers: the transport reports what each socket has not sent yet (`buffered`: Node's
// writableLength, which counts the bytes batchedWrites corked this turn too) and tells the gateway when a
// socket has sent its backlog ('drain' -> gateway.drained). With a bounded output buffer the sockets'
// write high-water mark is the gateway's socket share, so a socket the gateway stops pushing to (it
// holds >= socketBytes) is always one whose write() returned false, and its 'drain' is sure to come.
//
// Clients that do not play along (reply-limits.ts, and the connection layer's idle reaper):
//  - reply limits: a client whose unread replies reach the pause point is not read further until its
//    socket drains (socket.pause(): TCP's own flow control then stops the sender); beyond the close point
//    it is cut. The pause point is at least the socket's write high-water mark, so its 'drain' is sure to come;
//  - a login deadline: a connection that has not logged in within `loginTimeoutMs` is closed (one sweep
//    timer for all connections, as the idle reaper's: an idle connection holds no timer of its own);
//  - an idle timeout: a connection silent for `idleMs` is closed (a half-open one never says goodbye);
//  - `maxConnections`: one more is told so (as Redis: -ERR max number of clients reached) and closed.
import * as net from 'node:net';
import { getDefaultHighWaterMark } from 'node:stream';
import { DEFAULT_SOCKET_BYTES, type Gateway, type GatewayTransport, type OutputBufferOptions } from '../connection/gateway';
import { IdleReaper } from '../connection/idle-reaper';
import { replyLimits, type ReplyLimit, type ReplyLimits } from '../connection/reply-limits';
import type { Scheduler, TimerId } from '../ports';
import { batchedWrites } from './batched-writes';
import { realScheduler } from './real-scheduler';

export interface GatewaySocketsOptions {
  /**
   * The gateway bounds pushes with this socket share (OutputBufferOptions.socketBytes): each socket's write
   * high-water mark, so 'drain' fires whenever pushes wait in the gateway. Absent: Node's default mark.
   */
  socketBytes?: number;
  /** Unread replies that stop reading a client / cut it, before login and after (defaults: DEFAULT_REPLY_LIMITS). */
  replyLimits?: { login?: Partial<ReplyLimit>; session?: Partial<ReplyLimit> };
  /** Close a connection that has not logged in within this long, ms (0 = never; default DEFAULT_LOGIN_TIMEOUT_MS). */
  loginTimeoutMs?: number;
  /** Close a connection that has sent nothing for this long, ms (0 or absent = never). */
  idleMs?: number;
  /** Connections served at once; one more is refused (absent = no limit). */
  maxConnections?: number;
  /** For tests: the clock and timers (default: real time). */
  sched?: Scheduler;
}

/** Default login deadline, ms: a connection that has not logged in by then is closed. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 60_000;

/** What a client over `maxConnections` is told before its connection closes (Redis's words). */
export const MAX_CLIENTS_ERROR = '-ERR max number of clients reached\r\n';

/** How long a connection being closed may take to send its last words before it is destroyed anyway, ms. */
const CLOSE_GRACE_MS = 1000;

/** The connection-guard options of GatewaySockets, as startServer and startConnectionProcess take them. */
export type ConnectionGuards = Pick<GatewaySocketsOptions, 'replyLimits' | 'loginTimeoutMs' | 'idleMs' | 'maxConnections'>;

/** What the server holds for one connection that its client has not received: unsent socket bytes, pushes in the output buffer. */
export interface ConnectionBacklog {
  socket: number;
  held: number;
}

/**
 * The sockets of a gateway: with an output buffer they drain at its socket share (GatewaySockets' 'drain').
 * Give the gateway `sockets.replyLimits`.
 */
export function socketsFor(output: OutputBufferOptions | undefined, guards: ConnectionGuards = {}): GatewaySockets {
  return new GatewaySockets({ ...(output ? { socketBytes: output.socketBytes ?? DEFAULT_SOCKET_BYTES } : {}), ...guards });
}

export class GatewaySockets {
  private readonly sockets = new Map<number, net.Socket>();
  private server: net.Server | null = null;
  private nextConn = 1;
  private readonly write = batchedWrites(); // one writev per socket per event-loop turn
  /** What the Gateway writes through. */
  readonly transport: GatewayTransport = {
    write: (conn, bytes) => {
      const s = this.sockets.get(conn);
      if (s) this.write(s, bytes);
    },
    // abort: a slow consumer cut off -- its unsent backlog is dropped, not kept until a peer that does not read reads it
    close: (conn, abort) => {
      const s = this.sockets.get(conn);
      if (abort) s?.destroy();
      else s?.end();
    },
    buffered: (conn) => this.buffered(conn),
    pauseReading: (conn, paused) => {
      const s = this.sockets.get(conn);
      if (!s) return;
      if (paused) {
        s.pause();
        this.pausedCount++;
      } else {
        s.resume();
      }
    },
  };
  /** The gateway's replyLimits: pause points at least the sockets' write high-water mark. */
  readonly replyLimits: ReplyLimits;
  /** Times a connection's reading was paused for unread replies. */
  pausedCount = 0;
  /** Connections closed for not logging in in time, for silence, and refused over maxConnections. */
  readonly guarded = { loginTimeouts: 0, idle: 0, refused: 0 };
  private readonly sched: Scheduler;
  private readonly reaper: IdleReaper | null;
  /**
   * Connections not logged in yet -> their login deadline (µs on sched). One sweep timer serves them all, not a
   * timer per connection (~0.5 KiB each on real time): every deadline is opened-at + the same timeout, so this
   * map's insertion order is deadline order and the sweep only looks at its front.
   */
  private readonly loginDeadlines = new Map<number, number>();
  private readonly loginUs: number;
  private gateway: Gateway | null = null;
  private loginSweep: TimerId | null = null;

  constructor(private readonly opts: GatewaySocketsOptions = {}) {
    if (opts.socketBytes !== undefined && !(opts.socketBytes >= 0)) throw new RangeError(`socketBytes must be >= 0, got ${opts.socketBytes}`);
    for (const k of ['loginTimeoutMs', 'idleMs', 'maxConnections'] as const) {
      const v = opts[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`${k} must be 0 or more, got ${v}`);
    }
    this.loginUs = (opts.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS) * 1000;
    this.replyLimits = replyLimits(opts.replyLimits, opts.socketBytes ?? getDefaultHighWaterMark(false));
    this.sched = opts.sched ?? realScheduler();
    this.reaper = opts.idleMs ? new IdleReaper(this.sched, opts.idleMs * 1000, (conn) => {
      this.guarded.idle++;
      this.sockets.get(conn)?.destroy(); // silent so long its path is likely dead: nothing to say goodbye to
    }) : null;
  }

  /** Closes `conn` after a last error line, without waiting on a client that does not read. */
  private closeWith(socket: net.Socket, line: string): void {
    socket.end(line);
    socket.setTimeout(CLOSE_GRACE_MS, () => socket.destroy());
  }

  /** Arms the login sweep `delayUs` from now. */
  private armLoginSweep(delayUs: number): void {
    this.loginSweep = this.sched.setTimer(delayUs, () => this.sweepLogins());
  }

  private stopLoginSweep(): void {
    if (this.loginSweep !== null) this.sched.clearTimer(this.loginSweep);
    this.loginSweep = null;
  }

  /** Closes every connection past its login deadline that has not logged in; re-arms for the next deadline. */
  private sweepLogins(): void {
    this.loginSweep = null;
    const now = this.sched.now();
    for (const [id, at] of this.loginDeadlines) {
      if (at > now) {
        this.armLoginSweep(at - now);
        return;
      }
      this.loginDeadlines.delete(id);
      const socket = this.sockets.get(id); // there while its deadline is: 'close' forgets both
      if (!socket || this.gateway!.phaseOf(id) === 'session') continue;
      this.guarded.loginTimeouts++;
      this.gateway!.closed(id); // nothing more from it is read
      this.closeWith(socket, `-ERR no login within ${this.loginUs / 1e6} s: log in first (AUTH <user> <token>, or HELLO 3 AUTH <user> <token>)\r\n`);
    }
  }

  /** Listens on host:port (0 = any free port); resolves with the port. */
  async listen(gateway: Gateway, host: string, port: number): Promise<number> {
    const serverOpts: net.ServerOpts = this.opts.socketBytes === undefined ? {} : { highWaterMark: this.opts.socketBytes };
    const loginUs = this.loginUs;
    this.gateway = gateway;
    const max = this.opts.maxConnections;
    const server = net.createServer(serverOpts, (socket) => {
      socket.on('error', () => socket.destroy());
      if (max !== undefined && this.sockets.size >= max) {
        this.guarded.refused++;
        this.closeWith(socket, MAX_CLIENTS_ERROR);
        return;
      }
      const id = this.nextConn++; // never reused: a connection id names one connection for good
      this.sockets.set(id, socket);
      socket.setNoDelay(true);
      gateway.opened(id);
      this.reaper?.touch(id);
      if (loginUs > 0) {
        this.loginDeadlines.set(id, this.sched.now() + loginUs);
        if (this.loginSweep === null) this.armLoginSweep(loginUs);
      }
      socket.on('data', (chunk) => {
        this.reaper?.touch(id);
        gateway.data(id, chunk);
      });
      // pushes held for a slow consumer go out, reading paused for unread replies resumes (a no-op when neither waits)
      socket.on('drain', () => gateway.drained(id));
      socket.on('close', () => {
        this.sockets.delete(id);
        this.reaper?.forget(id);
        if (this.loginDeadlines.delete(id) && this.loginDeadlines.size === 0) this.stopLoginSweep(); // no timer left behind
        gateway.closed(id);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  has(conn: number): boolean {
    return this.sockets.has(conn);
  }

  /** Bytes written to `conn` that its socket has not handed to the kernel yet (0 for a connection gone). */
  buffered(conn: number): number {
    return this.sockets.get(conn)?.writableLength ?? 0;
  }

  /** Kills one connection at once (its client will reconnect). */
  destroy(conn: number): void {
    this.sockets.get(conn)?.destroy();
  }

  /** Kills every connection (their clients reconnect), keeps listening. */
  destroyAll(): void {
    for (const s of this.sockets.values()) s.destroy();
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Stops listening and kills every connection. */
  close(): Promise<void> {
    const server = this.server;
    this.destroyAll();
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
