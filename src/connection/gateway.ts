// The connection layer (连接层): holds client connections, decodes RESP, answers heartbeats and
// handshakes itself, forwards business commands to the logic layer and writes back replies and
// pushes. It keeps replies in request order even when some are answered locally and some by
// the logic layer. Sans-I/O: bytes in through data(), bytes out through the transport port.
import {
  ChunkWriter, ProtocolError, Push, ReplyError, RequestDecoder, RespMap, SimpleString, writeBulkBytes, writeReply,
  type Reply, type RequestLimits,
} from '../wire';
import type { Down, Up } from './layer-messages';
import type { Clock } from '../ports';
import type { MonitorSink, Platform } from '../monitor/sink';
import {
  COMMANDS, NOAUTH, NOPROTO, NOT_AN_INTEGER, WRONGPASS, commandCommand, unknownCommand, unknownSubcommand, wrongArity,
} from './commands';

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
}

/** What the connection layer does with pushes for a client that cannot keep up (a slow consumer). */
export type SlowConsumerPolicy = 'drop-newest' | 'drop-oldest' | 'disconnect';
export const SLOW_CONSUMER_POLICIES: readonly SlowConsumerPolicy[] = ['drop-newest', 'drop-oldest', 'disconnect'];
/** The socket's share of a connection's pushes before they wait in the output buffer (OutputBufferOptions.socketBytes). */
export const DEFAULT_SOCKET_BYTES = 8 * 1024;

/**
 * A bounded output buffer per connection for pushes (replies are never dropped: a client's own requests
 * bound them, and RESP has no way to skip one). A push goes to the socket while the socket holds less than
 * `socketBytes` unsent (a socket with room takes the whole push); beyond that it waits in the gateway's buffer of at most `limitBytes`; what does not
 * fit is handled by `policy`: drop the new push, drop the oldest waiting ones, or close the connection
 * (Redis's client-output-buffer-limit). The runtime calls `drained(conn)` as the socket's backlog shrinks.
 */
export interface OutputBufferOptions {
  limitBytes: number;
  policy: SlowConsumerPolicy;
  /** The socket's share before pushes wait in the gateway (default 8 KiB). */
  socketBytes?: number;
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
}

/** Default htime threshold: a reply later than this counts as a timeout (the deck's htime). */
export const DEFAULT_HTIME_US = 500_000;
const PLATFORM_NAMES: readonly Platform[] = ['ios', 'eios', 'android', 'wp'];

/** Session phases, named as the deck's monitoring names them. */
export type Phase = 'iop-ses' | 'p-ses' | 'session';

const OK = new SimpleString('OK');

/** What CONFIG GET reports: no persistence to wait for (redis-benchmark asks save and appendonly), one database. */
const CONFIG: [string, string][] = [['save', ''], ['appendonly', 'no'], ['databases', '1']];

/** Redis's glob for CONFIG GET: `*`, `?` and literal characters (enough for parameter names). */
function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(s);
}
const PONG = new SimpleString('PONG');
const PENDING = Symbol('pending');

/** A reply, or the exact bytes of a bulk string that is not UTF-8 text (ECHO of binary data). */
type Answer = Reply | Uint8Array;

/** Redis's string2ll() over a string: no '+', no leading zeros, no "-0" (SELECT 00 is refused). */
const REDIS_INT = /^(0|-?[1-9]\d{0,18})$/;

/** ECHO and PING answer their argument's bytes unchanged, text or not (RequestDecoder.rawArg). */
function echoesBytes(name: string): boolean {
  if (name.length !== 4) return false;
  // asked for each command with arguments: compared by hand, case-insensitively (c | 32 lowers a letter)
  const a = name.charCodeAt(0) | 32;
  const b = name.charCodeAt(1) | 32;
  const c = name.charCodeAt(2) | 32;
  const d = name.charCodeAt(3) | 32;
  return (a === 101 && b === 99 && c === 104 && d === 111) || (a === 112 && b === 105 && c === 110 && d === 103);
}

/** CLIENT SETNAME and HELLO ... SETNAME: the name Redis refuses, or null. */
function badClientName(name: string): ReplyError | null {
  return /^[!-~]*$/.test(name) ? null : new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.');
}

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
  out: ChunkWriter;
  closeAfterFlush: boolean;
  platform: Platform;
  /** When each request in `slots` was read (monitored gateways only): for htime. */
  readAt: number[];
  /** Requests forwarded to the logic layer and not answered yet, by request number (to retry them). */
  forwarded: Map<number, Up> | null;
  /** Pushes waiting for the socket to drain (with `output` only), oldest first, and their bytes. */
  held: Buffer[] | null;
  heldBytes: number;
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
}

export class Gateway {
  readonly id: number;
  readonly stats: GatewayStats = {
    cmd: 0, error: 0, pushes: 0, pushesDropped: 0, protocolErrors: 0, slowDropped: 0, slowDisconnects: 0, retried: 0,
  };
  private readonly conns = new Map<number, Conn>();
  private readonly limits: Partial<RequestLimits>;
  private readonly serverName: string;
  private readonly mon: { sink: MonitorSink; clock: Clock; htimeUs: number } | null;
  private readonly platform: Platform;
  private readonly statsText: ((sections: string[]) => string) | null;
  /** Time the current input chunk was read (monitored gateways only). */
  private readTime = 0;
  private readonly output: Required<OutputBufferOptions> | null;
  private readonly scratch = new ChunkWriter();

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
    if (opts.output) {
      if (!transport.buffered) throw new TypeError('GatewayOptions.output needs transport.buffered(conn) to see the socket backlog');
      if (!SLOW_CONSUMER_POLICIES.includes(opts.output.policy)) {
        throw new RangeError(`unknown slow-consumer policy '${opts.output.policy}'; known: ${SLOW_CONSUMER_POLICIES.join(', ')}`);
      }
      if (!(opts.output.limitBytes >= 0)) throw new RangeError(`output.limitBytes must be >= 0, got ${opts.output.limitBytes}`);
    }
    this.output = opts.output ? { socketBytes: DEFAULT_SOCKET_BYTES, ...opts.output } : null;
  }

  // ---- transport events -------------------------------------------------------------------

  opened(conn: number): void {
    this.conns.set(conn, {
      id: conn, decoder: new RequestDecoder(this.limits, echoesBytes), resp: 2, phase: 'iop-ses', user: '', name: '',
      login: null, slots: [], headReq: 0, nextReq: 0, out: new ChunkWriter(), closeAfterFlush: false,
      platform: this.platform, readAt: [], forwarded: null, held: null, heldBytes: 0,
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
      while (c.login === null && !c.closeAfterFlush) { // after QUIT nothing runs
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
        else if (this.output) this.pushBounded(c, new Push(msg.items), this.output);
        else {
          this.stats.pushes++;
          writeReply(c.out, new Push(msg.items), true);
        }
        break;
    }
    this.flush(c);
  }

  /**
   * The socket of `conn` sent some of its backlog: pushes waiting in the output buffer go out while the
   * socket has room. Runtimes call it as bytes leave (cheap when nothing waits).
   */
  drained(conn: number): void {
    const c = this.conns.get(conn);
    if (!c?.held || !this.output) return;
    this.writeHeld(c, this.output);
    this.flush(c);
  }

  private pushBounded(c: Conn, push: Push, o: Required<OutputBufferOptions>): void {
    writeReply(this.scratch, push, true);
    const bytes = this.scratch.take();
    const socket = this.transport.buffered!(c.id) + c.out.length;
    if (!c.held && socket < o.socketBytes) { // a socket with room takes the whole write (it may go over its share)
      this.stats.pushes++;
      c.out.bytes(bytes);
      return;
    }
    if (c.heldBytes + bytes.length > o.limitBytes) {
      if (o.policy === 'disconnect') {
        // as Redis's client-output-buffer-limit: cut it now, its backlog discarded (replies already due are written first)
        this.slow('disconnect');
        if (c.out.length > 0) this.transport.write(c.id, c.out.take());
        this.transport.close(c.id, true);
        this.closed(c.id);
        return;
      }
      if (o.policy === 'drop-newest') {
        this.slow('dropped');
        return;
      }
      // drop-oldest: make room for the newest
      while (c.held && c.held.length > 0 && c.heldBytes + bytes.length > o.limitBytes) {
        c.heldBytes -= c.held.shift()!.length;
        this.slow('dropped');
      }
      if (bytes.length > o.limitBytes) {
        this.slow('dropped');
        return;
      }
    }
    (c.held ??= []).push(Buffer.from(bytes));
    c.heldBytes += bytes.length;
  }

  /** Counts what the output-buffer policy did (stats, and the monitor's slow-consumer counters). */
  private slow(what: 'dropped' | 'disconnect'): void {
    if (what === 'dropped') this.stats.slowDropped++;
    else this.stats.slowDisconnects++;
    if (this.mon) this.mon.sink.slowConsumer?.(this.mon.clock.now(), this.id, what);
  }

  private writeHeld(c: Conn, o: Required<OutputBufferOptions>): void {
    const held = c.held!;
    let socket = this.transport.buffered!(c.id) + c.out.length;
    while (held.length > 0 && socket < o.socketBytes) {
      const b = held.shift()!;
      c.heldBytes -= b.length;
      socket += b.length;
      this.stats.pushes++;
      c.out.bytes(b);
    }
    if (held.length === 0) c.held = null;
  }

  /** Bytes of pushes waiting in the output buffer of `conn` (0 without `output`). */
  heldBytes(conn: number): number {
    return this.conns.get(conn)?.heldBytes ?? 0;
  }

  // ---- introspection ----------------------------------------------------------------------

  get connections(): number {
    return this.conns.size;
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
      case 'select': // one database, as in a cluster
        if (!REDIS_INT.test(args[1])) return this.answer(c, req, NOT_AN_INTEGER);
        return this.answer(c, req, Number(args[1]) === 0 ? OK : new ReplyError('ERR DB index is out of range'));
      case 'info':
        return this.answer(c, req, this.info());
      case 'command': // redis-cli asks COMMAND DOCS for its help and hints
        return this.answer(c, req, commandCommand(args));
      case 'config':
        return this.answer(c, req, this.config(args));
      case 'client':
        return this.answer(c, req, this.client(c, args));
      case 'stats':
        return this.answer(c, req, this.statsText ? this.statsText(args.slice(1).map((a) => a.toLowerCase()))
          : new ReplyError('ERR monitoring is off on this server (start it with a Monitor, as imsim serve does)'));
    }
  }

  /** HELLO [protover [AUTH user pass] [SETNAME name]] */
  private hello(c: Conn, req: number, args: string[]): void {
    let proto: 2 | 3 = c.resp;
    let auth: [string, string] | null = null;
    let name: string | undefined;
    if (args.length > 1) {
      const v = args[1];
      if (v !== '2' && v !== '3') return this.answer(c, req, /^\d+$/.test(v) ? NOPROTO : new ReplyError('ERR Protocol version is not an integer or out of range'));
      proto = v === '3' ? 3 : 2;
    }
    for (let i = 2; i < args.length; i++) {
      const opt = args[i].toLowerCase();
      if (opt === 'auth' && i + 2 < args.length) {
        auth = [args[i + 1], args[i + 2]];
        i += 2;
      } else if (opt === 'setname' && i + 1 < args.length) {
        name = args[++i];
        const bad = badClientName(name);
        if (bad) return this.answer(c, req, bad); // refused before any login or protocol switch
      } else {
        return this.answer(c, req, new ReplyError(`ERR Syntax error in HELLO option '${args[i]}'`));
      }
    }
    if (auth) return this.startLogin(c, req, auth[0], auth[1], { proto, name });
    c.resp = proto;
    if (name !== undefined) c.name = name;
    this.answer(c, req, this.helloMap(c));
  }

  private startLogin(c: Conn, req: number, user: string, token: string, hello: PendingLogin['hello']): void {
    if (c.login) return this.answer(c, req, new ReplyError('ERR login already in progress'));
    c.login = { req, hello };
    if (c.phase === 'iop-ses') this.setPhase(c, 'p-ses');
    this.forward(c, req, { k: 'login', gw: this.id, conn: c.id, req, user, token });
  }

  private forward(c: Conn, req: number, msg: Up): void {
    (c.forwarded ??= new Map()).set(req, msg);
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
      if (!c.forwarded) continue;
      for (const msg of [...c.forwarded.values()]) {
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
    for (const c of this.conns.values()) n += c.forwarded?.size ?? 0;
    return n;
  }

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
    return this.helloMap(c);
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
  private setPlatform(c: Conn, p: Platform): void {
    if (c.platform === p) return;
    if (this.mon) {
      const t = this.mon.clock.now();
      this.mon.sink.session(t, this.id, c.platform, c.phase, null);
      this.mon.sink.session(t, this.id, p, null, c.phase);
    }
    c.platform = p;
  }

  private helloMap(c: Conn): RespMap {
    return new RespMap([
      ['server', this.serverName], ['version', '7.0.0'], ['proto', c.resp], ['id', c.id],
      ['mode', 'standalone'], ['role', 'master'], ['modules', []],
    ]);
  }

  private info(): string {
    const lines = ['# Server', 'redis_version:7.0.0', `imsim_gateway:${this.id}`, 'redis_mode:standalone', '',
      '# Persistence', 'loading:0', '', '# Clients', `connected_clients:${this.conns.size}`, ''];
    return lines.join('\r\n');
  }

  /** CONFIG GET parameter [parameter ...] (glob patterns as Redis): what redis-benchmark asks before it starts. */
  private config(args: string[]): Reply {
    if (args[1].toLowerCase() !== 'get') return unknownSubcommand(args[1], 'config');
    if (args.length < 3) return wrongArity('config|get');
    const patterns = args.slice(2).map((p) => p.toLowerCase());
    return new RespMap(CONFIG.filter(([key]) => patterns.some((p) => globMatch(p, key)))); // RESP2: a flat array
  }

  private client(c: Conn, args: string[]): Reply {
    const sub = args[1].toLowerCase();
    const n = args.length - 2;
    switch (sub) {
      case 'setinfo': { // Redis 7.2: LIB-NAME / LIB-VER, sent by ioredis and node-redis at connect; imsim: PLATFORM
        if (n !== 2) return wrongArity('client|setinfo');
        const attr = args[2].toLowerCase();
        if (attr === 'platform') {
          const p = args[3].toLowerCase() as Platform;
          if (!PLATFORM_NAMES.includes(p)) return new ReplyError(`ERR Unrecognized platform '${args[3]}': ios, eios, android or wp`);
          this.setPlatform(c, p);
          return OK;
        }
        if (!['lib-name', 'lib-ver'].includes(attr)) return new ReplyError(`ERR Unrecognized option '${args[2]}'`);
        return OK;
      }
      case 'setname':
        if (n !== 1) return wrongArity('client|setname');
        const bad = badClientName(args[2]);
        if (bad) return bad;
        c.name = args[2];
        return OK;
      case 'getname':
        return n === 0 ? c.name || null : wrongArity('client|getname');
      case 'id':
        return n === 0 ? c.id : wrongArity('client|id');
      default:
        return unknownSubcommand(args[1], 'client');
    }
  }

  // ---- ordered replies --------------------------------------------------------------------

  private reserve(c: Conn): number {
    c.slots.push(PENDING);
    if (this.mon) c.readAt.push(this.readTime);
    return c.nextReq++;
  }

  private answer(c: Conn, req: number, reply: Answer): void {
    const i = req - c.headReq;
    if (i < 0 || i >= c.slots.length) return;
    if (c.forwarded?.delete(req) && c.forwarded.size === 0) c.forwarded = null;
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
      c.slots.splice(0, n);
      if (mon) c.readAt.splice(0, n);
      c.headReq += n;
    }
  }

  private flush(c: Conn): void {
    if (c.out.length > 0) this.transport.write(c.id, c.out.take());
    if (c.closeAfterFlush && c.slots.length === 0) {
      this.transport.close(c.id);
      this.closed(c.id);
    }
  }
}
