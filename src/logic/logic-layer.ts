// The logic layer (逻辑层): verifies logins, stores and delivers messages, and answers the
// delivery protocol's commands, behind the async queue from the connection layer. It holds only
// soft state (who is online where); mailboxes live in the store, so it may restart at any time.
import { ReplyError, SimpleString } from '../wire';
import type { Down, Up } from '../connection/layer-messages';
import { CMD, parseMediaRef, type ProtocolName } from '../protocol/messages';
import type { MonitorSink } from '../monitor/sink';
import type { Clock } from '../ports';
import { queueServer } from '../protocol/queue-server';
import type { ServerCtx, ServerHalf, Session } from '../protocol/server-half';
import { verifyToken, DEFAULT_SECRET } from '../protocol/token';
import { versionedServer } from '../protocol/versioned-server';
import { SessionTable } from './sessions';
import type { StorePort } from './store';

/**
 * Who is online where, when that is more than this logic layer has seen itself: with several
 * logic processes behind one async queue, a user's connections logged in through any of them.
 * Without one, the logic layer's own session table answers (one process, the simulator).
 */
export interface SessionDirectory {
  /** A connection logged in; called before its login verdict goes down. */
  opened(s: Session): void;
  /** A connection closed. */
  closed(gw: number, conn: number, user: string): void;
  /** The sessions of `user` on every connection process, for a push; `then` runs later. */
  lookup(user: string, then: (sessions: Session[]) => void): void;
}

export interface LogicOptions {
  protocol: ProtocolName;
  /**
   * Shared sessions (see SessionDirectory). With one, a command from a connection this logic layer
   * did not log in is served as the user the connection layer says it is: that layer forwards
   * commands only for connections it saw logged in.
   */
  directory?: SessionDirectory;
  secret?: string;
  /** Most messages in one msg-sync reply or one msg-send push. */
  pageSize?: number;
  /**
   * Largest message body a send may carry, in UTF-8 bytes (default 64 KiB). Text is small; media goes
   * over HTTP (POST /media) and the message carries its reference. Every mailbox keeps up to 100 000
   * messages, so this bounds what one sender can pile into another's mailbox.
   */
  maxBodyBytes?: number;
  /** The deck's message statistics: each message stored (once, retries not counted) is reported as text or image. */
  monitor?: MonitorSink;
  clock?: Clock;
}

export interface LogicStats {
  logins: number;
  loginFailures: number;
  stored: number;
  duplicatesDropped: number;
  /** Sends answered with an error and not stored (a body over the limit, a full mailbox, a cmid reused for another body). */
  refused: number;
}

const OK = new SimpleString('OK');
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const HALVES: Record<ProtocolName, ServerHalf> = { queue: queueServer, versioned: versionedServer };

export class LogicLayer {
  readonly protocol: ProtocolName;
  readonly sessions = new SessionTable();
  readonly stats: LogicStats = { logins: 0, loginFailures: 0, stored: 0, duplicatesDropped: 0, refused: 0 };
  private readonly half: ServerHalf;
  private readonly secret: string;
  private readonly ctx: ServerCtx;
  private readonly mon: { sink: MonitorSink; clock: Clock } | null;
  private readonly directory: SessionDirectory | undefined;
  private readonly maxBodyBytes: number;

  constructor(store: StorePort, private readonly down: (gw: number, msg: Down) => void, opts: LogicOptions) {
    this.protocol = opts.protocol;
    this.half = HALVES[opts.protocol];
    this.secret = opts.secret ?? DEFAULT_SECRET;
    if (opts.monitor && !opts.clock) throw new TypeError('LogicOptions.monitor needs a clock to stamp its reports');
    this.mon = opts.monitor ? { sink: opts.monitor, clock: opts.clock! } : null;
    this.directory = opts.directory;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes < 1) {
      throw new RangeError(`LogicOptions.maxBodyBytes must be a whole number of bytes >= 1, got ${opts.maxBodyBytes}`);
    }
    const sessions = this.sessions;
    this.ctx = {
      store,
      pageSize: opts.pageSize ?? 100,
      reply: (s, req, reply) => down(s.gw, { k: 'reply', conn: s.conn, req, reply }),
      push: (s, items) => down(s.gw, { k: 'push', conn: s.conn, user: s.user, items }),
      alive: (s) => sessions.get(s.gw, s.conn) === s,
    };
  }

  handle(msg: Up): void {
    switch (msg.k) {
      case 'login':
        return this.login(msg.gw, msg.conn, msg.req, msg.user, msg.token);
      case 'closed':
        this.sessions.close(msg.gw, msg.conn);
        this.directory?.closed(msg.gw, msg.conn, msg.user);
        return;
      case 'cmd':
        return this.command(msg.gw, msg.conn, msg.req, msg.user, msg.args);
    }
  }

  private login(gw: number, conn: number, req: number, user: string, token: string): void {
    const ok = user !== '' && verifyToken(user, token, this.secret);
    if (!ok) {
      this.stats.loginFailures++;
      this.down(gw, { k: 'login', conn, req, user, ok: false });
      return;
    }
    this.stats.logins++;
    const s = this.sessions.open(gw, conn, user, this.protocol);
    this.directory?.opened(s);
    this.down(gw, { k: 'login', conn, req, user, ok: true });
    this.half.onLogin(this.ctx, s);
  }

  private command(gw: number, conn: number, req: number, user: string, args: readonly string[]): void {
    const s = this.sessions.get(gw, conn) ?? (this.directory ? SessionTable.detached(gw, conn, user) : undefined);
    if (!s) return; // closed before its command was taken off the queue
    if (args[0] === CMD.send) return this.send(s, req, args[1], args[2], args[3]);
    if (this.half.onCommand(this.ctx, s, req, args)) return;
    this.ctx.reply(s, req, this.wrongProtocol(args[0]));
  }

  /** send <to> <cmid> <body>: acknowledged to the sender only once stored. */
  private send(s: Session, req: number, to: string, cmid: string, body: string): void {
    const bytes = body.length <= this.maxBodyBytes / 3 ? 0 : Buffer.byteLength(body, 'utf8'); // 3 bytes per UTF-16 unit at most
    if (bytes > this.maxBodyBytes) {
      this.stats.refused++;
      this.ctx.reply(s, req, new ReplyError(
        `ERR message body is ${bytes} bytes, over the ${this.maxBodyBytes}-byte limit: send media over HTTP (POST /media) ` +
          'and its reference media:<type>:<sha256 hex> as the body',
      ));
      return;
    }
    this.ctx.store.exec({ op: 'append', mode: this.protocol, user: to, from: s.user, cmid, body }, (r) => {
      if ('refused' in r) {
        // Not stored: never an +OK. A full mailbox: the sender keeps the message and sends it again
        // later. A reused cmid: a client bug that would otherwise drop this message as a "retry".
        this.stats.refused++;
        this.ctx.reply(s, req, new ReplyError(r.refused === 'full'
          ? `ERR ${to}'s mailbox is full (${r.cap} messages not yet acknowledged); message not stored, send it again later`
          : `ERR cmid ${cmid} was already used for another message`));
        return;
      }
      this.ctx.reply(s, req, OK);
      if (r.dup) this.stats.duplicatesDropped++;
      else {
        this.stats.stored++;
        // image = a message referring to media uploaded over HTTP; everything else is text
        if (this.mon) this.mon.sink.message(this.mon.clock.now(), parseMediaRef(body) ? 'image' : 'text');
      }
      const msg = { id: r.id, from: s.user, cmid, body };
      const announce = (sessions: Iterable<Session>) =>
        r.dup ? this.half.onRetried(this.ctx, sessions, msg) : this.half.onStored(this.ctx, sessions, msg);
      if (this.directory) this.directory.lookup(to, announce);
      else announce(this.sessions.of(to));
    });
  }

  private wrongProtocol(cmd: string): ReplyError {
    return new ReplyError(`ERR '${cmd}' belongs to the other delivery protocol; this server runs the ${this.protocol} protocol`);
  }
}
