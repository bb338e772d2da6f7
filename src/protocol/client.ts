// The IM client (the mobile app's protocol stack), sans-I/O. It owns one connection at a time:
//   offline -> connecting -> login (HELLO 3 AUTH sent) -> online -> offline ...
// Online it heartbeats with PING, sends messages from an outbox until each is acknowledged
// (a retried send carries the same client message id, so the server stores it once; a send answered
// "try again" -- store away, queue full -- goes again after the reconnect backoff), and hands
// pushes to the delivery protocol's client half. When the connection dies it reconnects after a
// delay, unless stopped.
import { NEED_MORE, ProtocolError, Push, ReplyDecoder, ReplyError, encodeCommand, type Reply } from '../wire';
import type { Random, Scheduler, TimerId } from '../ports';
import type { Platform } from '../monitor/sink';
import type { ClientCtx, ClientHalf } from './client-half';
import { CMD, type ProtocolName, type StoredMsg } from './messages';
import { Heartbeat, RECONNECT, reconnectDelay, sendAgain, type HeartbeatPolicy, type ReconnectPolicy } from './policies';
import { QueueClient, type QueueClientOptions } from './queue-client';
import { VersionedClient, type VersionedClientOptions } from './versioned-client';

export interface ClientTransport {
  connect(): void;
  /** The network the device is on now (Wi-Fi, a carrier): an adaptive heartbeat learns per network. */
  network?(): string;
  write(bytes: Buffer): void;
  close(): void;
}

export type ClientState = 'offline' | 'connecting' | 'login' | 'online' | 'stopped';

/** What a client reports to whoever watches it (ledger, trace, notebook). */
export interface ClientObserver {
  frame?(dir: 'out' | 'in', kind: string, bytes: number): void;
  applied?(m: StoredMsg): void;
  acked?(cmid: string): void;
  /** A send got an error reply that says to try again: the message goes again in `delayUs` (same cmid). */
  retrying?(cmid: string, error: string, delayUs: number): void;
  /** A send was refused for good (an error that no retry cures): the message leaves the outbox unstored. */
  rejected?(cmid: string, error: string): void;
  /** Versioned protocol: the server no longer has versions (from, to]; the client says so instead of skipping silently. */
  gap?(from: number, to: number): void;
  state?(s: ClientState, why: string): void;
}

export interface ClientOptions {
  user: string;
  token: string;
  protocol: ProtocolName;
  /** Device name; client message ids are `<device>-<incarnation>-<n>`. */
  device?: string;
  /**
   * This run of the client on its device (a few base36 characters, no '-'). The store drops a repeat of
   * (sender, recipient, cmid), so a restarted client must not reuse the ids of an earlier run: the real
   * runtime gives each new client a fresh random one; by default it is drawn from `random` (deterministic
   * in the simulator, whose streams are seeded).
   */
  incarnation?: string;
  /** PING policy while online (default off); a PING unanswered within its timeout ends the connection. */
  heartbeat?: HeartbeatPolicy;
  /** When to reconnect after the connection died (default: after 1 s); 'never' for scripted runs.
   *  A send answered "try again" goes again after the same backoff (with 'never': RECONNECT.exponential's). */
  reconnect?: ReconnectPolicy | 'never';
  /** Uniform [0,1) numbers for reconnect jitter (a seeded stream in the simulator). */
  random?: Random;
  queue?: QueueClientOptions;
  versioned?: VersionedClientOptions;
  /** The app's platform, declared at each connect (CLIENT SETINFO PLATFORM) for the server's monitoring. */
  platform?: Platform;
}

interface Outgoing {
  to: string;
  cmid: string;
  body: string;
  /** Error replies that said to try again, so far: the retry backoff's attempt number. */
  retries: number;
}

const DEFAULT_RECONNECT: ReconnectPolicy = { kind: 'fixed', delayUs: 1_000_000 };

const INCARNATION_CHARS = 6;
const MID: Random = { next: () => 0.5 };

/** An incarnation from a uniform [0,1) source: 6 base36 characters (36^6, about 2e9 values). */
export function drawIncarnation(rng: Random): string {
  return Math.floor(rng.next() * 36 ** INCARNATION_CHARS).toString(36).padStart(INCARNATION_CHARS, '0');
}

export class ImClient {
  readonly user: string;
  readonly device: string;
  /** Part of every client message id: tells this run's ids from an earlier run's on the same device. */
  readonly incarnation: string;
  readonly half: ClientHalf;
  state: ClientState = 'offline';
  /** Sent messages not yet acknowledged by the server, in send order. */
  readonly outbox = new Map<string, Outgoing>();
  private nextCmid = 0;
  private decoder = new ReplyDecoder();
  private waiting: { kind: string; onReply?: (r: Reply) => void }[] = [];
  private readonly timers = new Set<TimerId>(); // per-connection timers, cleared on disconnect
  private reconnectTimer: TimerId | null = null;
  private pingTimeout: TimerId | null = null;
  private pingOutstanding = false;
  private attempts = 0; // reconnect attempts since the last successful login
  private readonly ctx: ClientCtx;
  readonly heartbeat: Heartbeat;
  readonly stats = { connects: 0, logins: 0, heartbeats: 0, heartbeatFailures: 0, sendRetries: 0, sendsRejected: 0 };

  constructor(
    private readonly opts: ClientOptions,
    private readonly transport: ClientTransport,
    private readonly sched: Scheduler,
    private readonly observer: ClientObserver = {},
  ) {
    this.user = opts.user;
    this.device = opts.device ?? `${opts.user}-d1`;
    this.incarnation = opts.incarnation ?? drawIncarnation(this.rng);
    if (!/^[0-9a-z]+$/i.test(this.incarnation)) throw new TypeError(`ClientOptions.incarnation must be letters and digits, got '${this.incarnation}'`);
    this.half = opts.protocol === 'queue' ? new QueueClient(opts.queue) : new VersionedClient(opts.versioned);
    this.heartbeat = new Heartbeat(opts.heartbeat ?? { kind: 'off' });
    this.ctx = {
      request: (args, onReply) => this.request(args, onReply),
      apply: (m) => this.observer.applied?.(m),
      gap: (from, to) => this.observer.gap?.(from, to),
      setTimer: (d, fn) => this.setTimer(d, fn),
      clearTimer: (id) => this.clearTimer(id),
    };
  }

  // ---- user actions -----------------------------------------------------------------------

  start(): void {
    if (this.state === 'offline' || this.state === 'stopped') this.connect('start');
  }

  /** Queues a message; it is sent now if online, else after the next login. Returns its client id. */
  send(to: string, body: string): string {
    const cmid = `${this.device}-${this.incarnation}-${++this.nextCmid}`;
    const m = { to, cmid, body, retries: 0 };
    this.outbox.set(cmid, m);
    if (this.state === 'online') this.sendOne(m);
    return cmid;
  }

  /** Closes the connection abruptly (the network dropped it); the client reconnects as configured. */
  drop(): void {
    if (this.connected) {
      this.transport.close();
      this.disconnected('dropped');
    }
  }

  /** Logs out for good: QUIT, close, no reconnect. */
  stop(): void {
    if (this.reconnectTimer !== null) this.sched.clearTimer(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.state === 'online') this.request([CMD.quit]);
    this.transport.close();
    this.disconnected('stopped');
    this.setState('stopped', 'stop');
  }

  /** Requests sent and not yet answered: zero when the client is idle. */
  get unanswered(): number {
    return this.waiting.length;
  }

  // ---- transport events -------------------------------------------------------------------

  onConnected(): void {
    if (this.state !== 'connecting') return;
    if (this.transport.network) this.heartbeat.useNetwork(this.transport.network());
    this.setState('login', 'connected');
    // pipelined before the login (no extra round trip), so the server counts it under its platform before it logs in
    if (this.opts.platform) this.request(['client', 'setinfo', 'platform', this.opts.platform]);
    this.request([CMD.hello, '3', 'AUTH', this.opts.user, this.opts.token], (r) => this.onLogin(r));
  }

  onData(chunk: Uint8Array): void {
    if (!this.connected) return;
    this.decoder.push(chunk);
    try {
      for (let r = this.decoder.next(); r !== NEED_MORE; r = this.decoder.next()) {
        this.onFrame(r);
        if (!this.connected) return; // a frame may end the connection (login refused)
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.transport.close();
      this.disconnected('bad reply from server');
    }
  }

  onClosed(): void {
    if (this.connected) this.disconnected('closed by peer');
  }

  private get connected(): boolean {
    return this.state === 'connecting' || this.state === 'login' || this.state === 'online';
  }

  // ---- internals --------------------------------------------------------------------------

  private connect(why: string): void {
    this.reconnectTimer = null;
    this.stats.connects++;
    this.decoder = new ReplyDecoder();
    this.setState('connecting', why);
    this.transport.connect();
  }

  private onFrame(r: Reply): void {
    if (r instanceof Push) {
      const items = r.items.map(String);
      this.observer.frame?.('in', items[0] ?? 'push', 0);
      this.half.onPush(this.ctx, items);
      return;
    }
    const w = this.waiting.shift();
    this.observer.frame?.('in', `reply:${w?.kind ?? '?'}`, 0);
    w?.onReply?.(r);
  }

  private onLogin(r: Reply): void {
    if (r instanceof ReplyError) {
      // A bad token does not get better by retrying.
      this.transport.close();
      this.disconnected(`login refused: ${r.message}`);
      this.setState('stopped', 'login refused');
      return;
    }
    this.setState('online', 'logged in');
    this.stats.logins++;
    this.attempts = 0;
    this.half.onLogin(this.ctx);
    for (const m of this.outbox.values()) this.sendOne(m);
    this.armHeartbeat();
  }

  private sendOne(m: Outgoing): void {
    this.request([CMD.send, m.to, m.cmid, m.body], (r) => {
      if (r instanceof ReplyError) return this.sendFailed(m, r.message);
      if (this.outbox.delete(m.cmid)) this.observer.acked?.(m.cmid);
    });
  }

  /** An error reply to a send: send it again later (same cmid, so it is stored once), or give it up. */
  private sendFailed(m: Outgoing, error: string): void {
    if (this.outbox.get(m.cmid) !== m) return; // acknowledged meanwhile (an earlier send got through)
    if (!sendAgain(error)) {
      this.outbox.delete(m.cmid);
      this.stats.sendsRejected++;
      this.observer.rejected?.(m.cmid, error);
      return;
    }
    // A per-connection timer: a disconnect cancels it, and the next login sends the whole outbox anyway.
    const delay = reconnectDelay(this.backoff, m.retries++, this.rng);
    this.stats.sendRetries++;
    this.observer.retrying?.(m.cmid, error, delay);
    this.setTimer(delay, () => {
      if (this.state === 'online' && this.outbox.get(m.cmid) === m) this.sendOne(m);
    });
  }

  private armHeartbeat(): void {
    if (!this.heartbeat.enabled) return;
    this.setTimer(this.heartbeat.interval, () => {
      this.stats.heartbeats++;
      this.pingOutstanding = true;
      this.request([CMD.ping], () => {
        this.pingOutstanding = false;
        if (this.pingTimeout !== null) this.clearTimer(this.pingTimeout);
        this.pingTimeout = null;
        this.heartbeat.succeeded();
        this.armHeartbeat();
      });
      this.pingTimeout = this.setTimer(this.heartbeat.timeoutUs, () => {
        this.pingTimeout = null;
        this.transport.close();
        this.disconnected('heartbeat timeout');
      });
    });
  }

  private request(args: string[], onReply?: (r: Reply) => void): void {
    const bytes = encodeCommand(args);
    this.waiting.push({ kind: args[0], onReply });
    this.observer.frame?.('out', args[0], bytes.length);
    this.transport.write(bytes);
  }

  private setTimer(delayUs: number, fn: () => void): TimerId {
    const id = this.sched.setTimer(delayUs, () => {
      this.timers.delete(id);
      fn();
    });
    this.timers.add(id);
    return id;
  }

  private clearTimer(id: TimerId): void {
    if (this.timers.delete(id)) this.sched.clearTimer(id);
  }

  private disconnected(why: string): void {
    for (const id of this.timers) this.sched.clearTimer(id);
    this.timers.clear();
    this.pingTimeout = null;
    if (this.pingOutstanding) {
      // The connection died under a heartbeat: for an adaptive heartbeat, maybe the NAT's doing.
      this.stats.heartbeatFailures++;
      this.heartbeat.failedIdle();
    }
    this.pingOutstanding = false;
    this.waiting = [];
    this.half.onDisconnect();
    this.setState('offline', why);
    const policy = this.opts.reconnect ?? DEFAULT_RECONNECT;
    if (why !== 'stopped' && policy !== 'never' && this.reconnectTimer === null) {
      const delay = reconnectDelay(policy, this.attempts++, this.rng);
      this.reconnectTimer = this.sched.setTimer(delay, () => this.connect('reconnect'));
    }
  }

  /** The backoff for sends answered "try again": the reconnect policy's, or growing to 16 s (a full mailbox may stay full a while). */
  private get backoff(): ReconnectPolicy {
    const p = this.opts.reconnect ?? DEFAULT_RECONNECT;
    return p === 'never' ? RECONNECT.exponential : p;
  }

  private get rng(): Random {
    return this.opts.random ?? MID;
  }

  private setState(s: ClientState, why: string): void {
    this.state = s;
    this.observer.state?.(s, why);
  }
}
