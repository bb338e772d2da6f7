// The connection layer (连接层): holds client connections, decodes RESP, answers heartbeats and
// handshakes itself, forwards business commands to the logic layer and writes back replies and
// pushes. It keeps replies in request order even when some are answered locally and some by
// the logic layer. Sans-I/O: bytes in through data(), bytes out through the transport port.
// Here: the connection state machine (session phases, login, ordered replies, forwarding and the
// retry after a logic-layer restart, pushes). Beside it: output-buffer.ts bounds the pushes held for
// slow consumers; redis-compat.ts and commands.ts answer stock Redis clients' handshakes.
import {
  ChunkWriter, ProtocolError, Push, ReplyError, RequestDecoder, SimpleString, writeBulkBytes, writeReply,
  type Reply, type RequestLimits,
} from '../wire';
import type { Down, Up } from './layer-messages';
import type { Clock } from '../ports';
import type { MonitorSink, Platform } from '../monitor/sink';
import { COMMANDS, NOAUTH, WRONGPASS, commandCommand, unknownCommand, wrongArity } from './commands';
import { OutputBuffer, type OutputBufferOptions } from './output-buffer';
import * as compat from './redis-compat';
import type { ReplyLimit, ReplyLimits } from './reply-limits';

export {
  DEFAULT_SOCKET_BYTES, SLOW_CONSUMER_POLICIES, type OutputBufferOptions, type SlowConsumerPolicy,
} from './output-buffer';

export interface GatewayTransport {
  write(conn: number, bytes: Buffer): void;
  /**
   * Closes `conn` once what was written has gone out; with `abort`, at once, discarding what is unsent
   * (a slow consumer's disconnect: its peer does not read, so a graceful close would hold its backlog forever).
   */
  close(conn: number, abort?: boolean): void;
  /**
   * Bytes written to `conn` that the peer has not received yet (the socket's send buffer: Node's
   * `socket.writableLength`, the simulated link's unacknowledged bytes). Needed only with `output`.
   */
  buffered?(conn: number): number;
  /** Stop (true) or resume (false) reading `conn`: its client's unread replies reached `replyLimits`' pause point. Needed only with `replyLimits`. */
  pauseReading?(conn: number, paused: boolean): void;
}

export interface GatewayOptions {
  id?: number;
  limits?: Partial<RequestLimits>;
  serverName?: string;
  /**
   * The deck's monitoring: cmd per request, error per error reply, htime, and each connection's
   * session phase with its platform are reported here (with `clock`'s time). Absent: nothing is measured.
   */
  monitor?: MonitorSink;
  clock?: Clock;
  /** htime: a request whose reply is written more than this long after it was read (default 500 ms). */
  htimeUs?: number;
  /** The platform a connection is counted under until it declares one (CLIENT SETINFO PLATFORM p). Default android. */
  platform?: Platform;
  /** The text of the `stats` command (sections asked for, lower case); without it `stats` says monitoring is off. */
  stats?: (sections: string[]) => string;
  /** Bound the pushes waiting for a slow client (see OutputBufferOptions); needs `transport.buffered`. Default: unbounded. */
  output?: OutputBufferOptions;
  /**
   * Bound the replies a client has not read (reply-limits.ts): stop decoding and reading its requests at
   * the pause point, cut it beyond the close point. Needs `transport.buffered`, and `transport.pauseReading`
   * with a 'drain' (drained()) sure to follow. Default: unbounded.
   */
  replyLimits?: ReplyLimits;
}

/** Default htime threshold: a reply later than this counts as a timeout (the deck's htime). */
export const DEFAULT_HTIME_US = 500_000;

/** Session phases, named as the deck's monitoring names them. */
export type Phase = 'iop-ses' | 'p-ses' | 'session';

const OK = compat.OK;
const PONG = new SimpleString('PONG');
const PENDING = Symbol('pending');

/** A reply, or the exact bytes of a bulk string that is not UTF-8 text (ECHO of binary data). */
type Answer = Reply | Uint8Array;

interface PendingLogin { req: number; hello: { proto: 2 | 3; name?: string } | null }

interface Conn {
  id: number;
  decoder: RequestDecoder;
  resp: 2 | 3;
  phase: Phase;
  user: string;
  name: string;
  login: PendingLogin | null;
  slots: (Answer | typeof PENDING)[]; // replies not yet written, in request order
  headReq: number; // request number of slots[0]
  nextReq: number;
  /**
   * Beside each slot, the message that forwarded its request to the logic layer while it is unanswered
   * (null: answered, or answered here): what retryUnanswered() sends again. Aligned with `slots` (index
   * req - headReq), and no longer than up to the last request forwarded: a request costs no allocation
   * of its own, and one answered here does not touch it.
   */
  forwarded: (Up | null)[];
  out: ChunkWriter;
  closeAfterFlush: boolean;
  /** Reading stopped: unread replies at replyLimits' pause point. */
  readPaused: boolean;
  platform: Platform;
  /** When each request in `slots` was read (monitored gateways only): for htime. */
  readAt: number[];
}

export interface GatewayStats {
  cmd: number; // requests received
  error: number; // error replies sent
  pushes: number;
  pushesDropped: number; // pushes to RESP2 connections, which cannot receive them
  protocolErrors: number;
  /** Slow consumers: pushes dropped by the output-buffer policy, and connections it closed. */
  slowDropped: number;
  slowDisconnects: number;
  /** Requests forwarded again after the logic layer restarted (retryUnanswered). */
  retried: number;
  /** Connections cut because their unread replies passed replyLimits' close point. */
  replyLimitCloses: number;
}

export class Gateway {
  readonly id: number;
  readonly stats: GatewayStats = {
    cmd: 0, error: 0, pushes: 0, pushesDropped: 0, protocolErrors: 0, slowDropped: 0, slowDisconnects: 0, retried: 0, replyLimitCloses: 0,
  };
  private readonly conns = new Map<number, Conn>();
  private readonly limits: Partial<RequestLimits>;
  private readonly serverName: string;
  private readonly mon: { sink: MonitorSink; clock: Clock; htimeUs: number } | null;
  private readonly platform: Platform;
  private readonly statsText: ((sections: string[]) => string) | null;
  /** Time the current input chunk was read (monitored gateways only). */
  private readTime = 0;
  /** Pushes held for slow consumers (with `output` only). */
  private readonly output: OutputBuffer | null;
  private readonly scratch = new ChunkWriter();
  private readonly replyLimits: ReplyLimits | null;

  constructor(
    private readonly transport: GatewayTransport,
    private readonly upstream: (msg: Up) => void,
    opts: GatewayOptions = {},
  ) {
    this.id = opts.id ?? 0;
    this.limits = opts.limits ?? {};
    this.serverName = opts.serverName ?? 'imsim';
    if (opts.monitor && !opts.clock) throw new TypeError('GatewayOptions.monitor needs a clock to stamp its reports');
    this.mon = opts.monitor ? { sink: opts.monitor, clock: opts.clock!, htimeUs: opts.htimeUs ?? DEFAULT_HTIME_US } : null;
    this.platform = opts.platform ?? 'android';
    this.statsText = opts.stats ?? null;
    if (opts.replyLimits && !(transport.buffered && transport.pauseReading)) {
      throw new TypeError('GatewayOptions.replyLimits needs transport.buffered(conn) and transport.pauseReading(conn, paused)');
    }
    this.replyLimits = opts.replyLimits ?? null;
    if (opts.output && !transport.buffered) throw new TypeError('GatewayOptions.output needs transport.buffered(conn) to see the socket backlog');
    this.output = opts.output ? new OutputBuffer(opts.output, {
      // what the socket has not sent, and what this gateway has not handed it yet
      backlog: (conn) => this.transport.buffered!(conn) + this.conns.get(conn)!.out.length,
      write: (conn, bytes) => {
        this.stats.pushes++;
        this.conns.get(conn)!.out.bytes(bytes);
      },
      slow: (conn, what) => this.slow(this.conns.get(conn)!, what),
    }) : null;
  }

  // ---- transport events -------------------------------------------------------------------

  opened(conn: number): void {
    this.conns.set(conn, {
      id: conn, decoder: new RequestDecoder(this.limits, compat.echoesBytes), resp: 2, phase: 'iop-ses', user: '', name: '',
      login: null, slots: [], headReq: 0, nextReq: 0, forwarded: [], out: new ChunkWriter(), closeAfterFlush: false, readPaused: false,
      platform: this.platform, readAt: [],
    });
    if (this.mon) this.mon.sink.session(this.mon.clock.now(), this.id, this.platform, null, 'iop-ses');
  }

  data(conn: number, chunk: Uint8Array): void {
    const c = this.conns.get(conn);
    if (!c || c.closeAfterFlush) return;
    c.decoder.push(chunk);
    this.run(c);
    this.flush(c);
  }

  /**
   * Runs the commands received so far. While a login waits for the logic layer's verdict, the bytes
   * after it stay undecoded: the commands a client pipelines behind AUTH (redis-benchmark does) run
   * once it is logged in, under the limits of a logged-in connection, as Redis runs them.
   */
  private run(c: Conn): void {
    const cmd = this.stats.cmd;
    if (this.mon) this.readTime = this.mon.clock.now();
    try {
      // after QUIT nothing runs; while the client's unread replies are at the pause point nothing is decoded
      while (c.login === null && !c.closeAfterFlush && !this.atPause(c)) {
        const args = c.decoder.next();
        if (args === null) break;
        this.command(c, args);
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      // Answer as Redis does, then close this connection only.
      this.stats.protocolErrors++;
      this.answer(c, this.reserve(c), new ReplyError(err.reply));
      c.closeAfterFlush = true;
    } finally {
      // one report per input chunk, not per command: pipelined requests cost one call
      if (this.mon && this.stats.cmd > cmd) this.mon.sink.cmd(this.readTime, this.id, this.stats.cmd - cmd);
    }
  }

  closed(conn: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    this.conns.delete(conn);
    this.output?.closed(conn);
    if (this.mon) this.mon.sink.session(this.mon.clock.now(), this.id, c.platform, c.phase, null);
    if (c.phase !== 'iop-ses') this.upstream({ k: 'closed', gw: this.id, conn, user: c.user });
  }

  // ---- from the logic layer ---------------------------------------------------------------

  downstream(msg: Down): void {
    const c = this.conns.get(msg.conn);
    if (!c) return; // the connection went away meanwhile
    switch (msg.k) {
      case 'reply':
        this.answer(c, msg.req, msg.reply);
        break;
      case 'login':
        this.loginDone(c, msg.req, msg.user, msg.ok);
        break;
      case 'push':
        if (c.resp !== 3) this.stats.pushesDropped++;
        else if (this.output) {
          writeReply(this.scratch, new Push(msg.items), true);
          this.output.push(c.id, this.scratch.take());
        } else {
          this.stats.pushes++;
          writeReply(c.out, new Push(msg.items), true);
        }
        break;
    }
    this.flush(c);
  }

  // ---- slow consumers (the output buffer) -------------------------------------------------

  /**
   * The socket of `conn` sent some of its backlog: pushes waiting in the output buffer go out while the
   * socket has room. Runtimes call it as bytes leave (cheap when nothing waits).
   */
  drained(conn: number): void {
    const c = this.conns.get(conn);
    if (!c) return;
    const holding = this.output?.holding(conn) ?? false;
    const resume = c.readPaused && !this.atPause(c);
    if (!holding && !resume) return;
    if (holding) this.output!.drained(conn);
    if (resume) {
      c.readPaused = false;
      this.transport.pauseReading!(conn, false);
      this.run(c); // the requests that waited undecoded
    }
    this.flush(c);
  }

  /** The reply limit of `c`'s phase (null: unbounded). */
  private replyLimit(c: Conn): ReplyLimit | null {
    const l = this.replyLimits;
    return l ? (c.phase === 'session' ? l.session : l.login) : null;
  }

  /** Whether `c`'s unread replies (the transport's backlog, and what is not handed to it yet) are at its pause point. */
  private atPause(c: Conn): boolean {
    const l = this.replyLimit(c);
    return l !== null && this.transport.buffered!(c.id) + c.out.length >= l.pauseBytes;
  }

  /** Bytes of pushes waiting in the output buffer of `conn` (0 without `output`). */
  heldBytes(conn: number): number {
    return this.output?.heldBytes(conn) ?? 0;
  }

  /** Counts what the output-buffer policy did (stats, and the monitor's slow-consumer counters) and does the disconnect. */
  private slow(c: Conn, what: 'dropped' | 'disconnect'): void {
    if (what === 'dropped') this.stats.slowDropped++;
    else this.stats.slowDisconnects++;
    if (this.mon) this.mon.sink.slowConsumer?.(this.mon.clock.now(), this.id, what);
    if (what === 'disconnect') {
      // as Redis's client-output-buffer-limit: cut it now, its backlog discarded (replies already due are written first)
      if (c.out.length > 0) this.transport.write(c.id, c.out.take());
      this.transport.close(c.id, true);
      this.closed(c.id);
    }
  }

  // ---- introspection ----------------------------------------------------------------------

  get connections(): number {
    return this.conns.size;
  }

  /** The session phase of `conn` (undefined: no such connection). */
  phaseOf(conn: number): Phase | undefined {
    return this.conns.get(conn)?.phase;
  }

  phaseCounts(): Record<Phase, number> {
    const n: Record<Phase, number> = { 'iop-ses': 0, 'p-ses': 0, session: 0 };
    for (const c of this.conns.values()) n[c.phase]++;
    return n;
  }

  // ---- commands ---------------------------------------------------------------------------

  private command(c: Conn, args: string[]): void {
    this.stats.cmd++;
    const name = args[0].toLowerCase();
    const req = this.reserve(c);
    const spec = COMMANDS.get(name);
    if (!spec) return this.answer(c, req, unknownCommand(args));
    if (!spec.preAuth && c.phase !== 'session') return this.answer(c, req, NOAUTH);
    const n = args.length - 1;
    if (n < spec.min || n > spec.max) return this.answer(c, req, wrongArity(name));
    if (spec.where === 'logic') {
      args[0] = name;
      this.forward(c, req, { k: 'cmd', gw: this.id, conn: c.id, req, user: c.user, args });
      return;
    }
    if (name === 'auth') return this.startLogin(c, req, n === 1 ? 'default' : args[1], args[n], null);
    this.local(c, req, name, args);
  }

  /** The commands answered here: the heartbeat, QUIT and HELLO, the Redis handshakes (redis-compat), `stats`. */
  private local(c: Conn, req: number, name: string, args: string[]): void {
    switch (name) {
      case 'ping': // binary data comes back unchanged, as from Redis
        return this.answer(c, req, args.length > 1 ? c.decoder.rawArg(1) ?? args[1] : PONG);
      case 'echo':
        return this.answer(c, req, c.decoder.rawArg(1) ?? args[1]);
      case 'quit':
        this.answer(c, req, OK);
        c.closeAfterFlush = true;
        return;
      case 'hello':
        return this.hello(c, req, args);
      case 'select':
        return this.answer(c, req, compat.select(args));
      case 'info':
        return this.answer(c, req, compat.info(this.id, this.conns.size));
      case 'command': // redis-cli asks COMMAND DOCS for its help and hints
        return this.answer(c, req, commandCommand(args));
      case 'config':
        return this.answer(c, req, compat.config(args));
      case 'client':
        return this.answer(c, req, compat.client(c, args, this.setPlatform));
      case 'stats':
        return this.answer(c, req, this.statsText ? this.statsText(args.slice(1).map((a) => a.toLowerCase()))
          : new ReplyError('ERR monitoring is off on this server (start it with a Monitor, as imsim serve does)'));
    }
  }

  /** HELLO [protover [AUTH user pass] [SETNAME name]]: switches the protocol, or logs in first. */
  private hello(c: Conn, req: number, args: string[]): void {
    const h = compat.parseHello(args);
    if (h instanceof ReplyError) return this.answer(c, req, h);
    const proto = h.proto ?? c.resp;
    if (h.auth) return this.startLogin(c, req, h.auth.user, h.auth.token, { proto, name: h.name });
    c.resp = proto;
    if (h.name !== undefined) c.name = h.name;
    this.answer(c, req, compat.helloMap(this.serverName, c.resp, c.id));
  }

  private startLogin(c: Conn, req: number, user: string, token: string, hello: PendingLogin['hello']): void {
    if (c.login) return this.answer(c, req, new ReplyError('ERR login already in progress'));
    c.login = { req, hello };
    if (c.phase === 'iop-ses') this.setPhase(c, 'p-ses');
    this.forward(c, req, { k: 'login', gw: this.id, conn: c.id, req, user, token });
  }

  // ---- forwarding, and retrying after a logic-layer restart -------------------------------

  private forward(c: Conn, req: number, msg: Up): void {
    const f = c.forwarded;
    const i = req - c.headReq;
    while (f.length < i) f.push(null); // no holes: the requests before it that were answered here
    f[i] = msg;
    this.upstream(msg);
  }

  /**
   * The logic layer restarted and what was queued for it is gone (a queue that does not survive a
   * restart): forward again every request still unanswered, in request order, on every connection.
   * Clients stay connected and see only a late reply. Sends carry client message ids, so one the old
   * logic layer had stored already is stored once. Returns how many were forwarded again.
   */
  retryUnanswered(): number {
    let n = 0;
    for (const c of this.conns.values()) {
      // taken first: a reply may come back while they are sent
      const msgs = c.forwarded.filter((m): m is Up => m !== null);
      for (const msg of msgs) {
        n++;
        this.upstream(msg);
      }
    }
    this.stats.retried += n;
    return n;
  }

  /** Requests forwarded to the logic layer and not answered yet, on all connections. */
  get unanswered(): number {
    let n = 0;
    for (const c of this.conns.values()) for (const m of c.forwarded) if (m !== null) n++;
    return n;
  }

  // ---- login, session phases, platforms ---------------------------------------------------

  private loginDone(c: Conn, req: number, user: string, ok: boolean): void {
    const login = c.login;
    if (!login || login.req !== req) return;
    c.login = null;
    this.answer(c, req, this.loginVerdict(c, login, user, ok));
    this.run(c); // the commands that waited behind the login
  }

  private loginVerdict(c: Conn, login: PendingLogin, user: string, ok: boolean): Reply {
    if (!ok) {
      if (c.phase === 'p-ses') this.setPhase(c, 'iop-ses');
      return WRONGPASS;
    }
    if (c.phase === 'session' && c.user !== user) this.upstream({ k: 'closed', gw: this.id, conn: c.id, user: c.user });
    this.setPhase(c, 'session');
    c.user = user;
    c.decoder.authenticated = true;
    if (!login.hello) return OK;
    c.resp = login.hello.proto;
    if (login.hello.name !== undefined) c.name = login.hello.name;
    return compat.helloMap(this.serverName, c.resp, c.id);
  }

  private setPhase(c: Conn, to: Phase): void {
    if (c.phase === to) return;
    if (this.mon) this.mon.sink.session(this.mon.clock.now(), this.id, c.platform, c.phase, to);
    c.phase = to;
  }

  /**
   * The client declared its platform. Reported as the rule of MonitorSink.session says: closed under
   * the platform assumed so far and opened under the declared one, in the same phase.
   */
  private readonly setPlatform = (c: Conn, p: Platform): void => {
    if (c.platform === p) return;
    if (this.mon) {
      const t = this.mon.clock.now();
      this.mon.sink.session(t, this.id, c.platform, c.phase, null);
      this.mon.sink.session(t, this.id, p, null, c.phase);
    }
    c.platform = p;
  };

  // ---- ordered replies --------------------------------------------------------------------

  private reserve(c: Conn): number {
    c.slots.push(PENDING);
    if (this.mon) c.readAt.push(this.readTime);
    return c.nextReq++;
  }

  private answer(c: Conn, req: number, reply: Answer): void {
    const i = req - c.headReq;
    if (i < 0 || i >= c.slots.length) return;
    if (i < c.forwarded.length) c.forwarded[i] = null;
    c.slots[i] = reply;
    const mon = this.mon;
    const now = mon ? mon.clock.now() : 0;
    if (reply instanceof ReplyError) {
      this.stats.error++;
      if (mon) mon.sink.error(now, this.id);
    }
    let n = 0;
    while (n < c.slots.length && c.slots[n] !== PENDING) {
      // htime: the reply goes out (in request order) later than the threshold after its request was read
      if (mon && now - c.readAt[n] > mon.htimeUs) mon.sink.htime(now, this.id);
      const r = c.slots[n++] as Answer;
      if (r instanceof Uint8Array) writeBulkBytes(c.out, r);
      else writeReply(c.out, r, c.resp === 3);
    }
    if (n > 0) {
      dropFront(c.slots, n);
      if (c.forwarded.length > 0) dropFront(c.forwarded, n);
      if (mon) dropFront(c.readAt, n);
      c.headReq += n;
    }
  }

  private flush(c: Conn): void {
    if (c.out.length > 0) this.transport.write(c.id, c.out.take());
    const l = this.replyLimit(c);
    if (l && !c.closeAfterFlush) {
      const unsent = this.transport.buffered!(c.id);
      if (unsent > l.closeBytes) {
        // as Redis's client-output-buffer-limit: cut now, the backlog discarded
        this.stats.replyLimitCloses++;
        this.transport.close(c.id, true);
        this.closed(c.id);
        return;
      }
      if (unsent >= l.pauseBytes && !c.readPaused) {
        c.readPaused = true;
        this.transport.pauseReading!(c.id, true);
      }
    }
    if (c.closeAfterFlush && c.slots.length === 0) {
      this.transport.close(c.id);
      this.closed(c.id);
    }
  }
}

/** Removes the first `n` items of `a` (at most all), without allocating when all go (one request outstanding). */
function dropFront(a: unknown[], n: number): void {
  if (n >= a.length) a.length = 0;
  else a.splice(0, n);
}
