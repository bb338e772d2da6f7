// Assembles one simulated deployment: clients on simulated links, one connection-layer gateway,
// the async queue, one logic layer and the embedded store, all driven by one kernel. The
// gateway, logic layer and clients are the very objects the real server runs over TCP.
import { Gateway } from '../connection/gateway';
import type { Down, Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import { delayedStore } from '../logic/delayed-store';
import { LogicLayer } from '../logic/logic-layer';
import { MemoryStore } from '../logic/memory-store';
import type { Scheduler } from '../ports';
import { ImClient, type ClientOptions } from '../protocol/client';
import type { ProtocolName } from '../protocol/messages';
import { makeToken } from '../protocol/token';
import { Kernel } from './kernel';
import { recordingObserver, type FrameRecord } from '../scenario/observer';
import { Ledger } from './ledger';
import { SimConnection, type LinkDelays } from './network/pipe';
import { Trace } from './trace';
import { describeReplies, describeRequests, type WireRecord } from './wire-log';

export interface WorldOptions {
  protocol: ProtocolName;
  seed?: string | number;
  /** One-way delays of every client's link (default 20 ms each way, 5 ms jitter). */
  link?: LinkDelays;
  /** Gateway <-> logic queue hop and store round trip (defaults 100 µs, 200 µs). */
  hopUs?: number;
  storeUs?: number;
  pageSize?: number;
  /** Client defaults; each addClient() may override. */
  client?: Partial<ClientOptions>;
  /** Receives one JSON line per trace event. */
  traceSink?: (line: string) => void;
  /** Keep up to this many trace events in memory (for divergence reports). */
  keepTrace?: number;
  /** Record every write on every link with a label of its frames (for sequence diagrams). */
  recordWire?: boolean;
}


export class World {
  readonly kernel: Kernel;
  readonly sched: Scheduler;
  readonly gateway: Gateway;
  readonly logic: LogicLayer;
  readonly store = new MemoryStore();
  readonly ledger = new Ledger();
  readonly clients = new Map<string, ImClient>();
  readonly frames: FrameRecord[] = [];
  /** Every write on every link, when opts.recordWire (labels are computed when read). */
  private readonly wireWrites: { dir: 'up' | 'down'; user: string; sent: number; arrives: number; bytes: Uint8Array; delivered: () => boolean }[] = [];
  readonly upQueue: AsyncQueue<Up>;
  private readonly conns = new Map<number, SimConnection>();
  private nextConn = 1;

  constructor(readonly opts: WorldOptions) {
    const trace = new Trace({ sink: opts.traceSink, keep: opts.keepTrace ?? 0 });
    this.kernel = new Kernel({ seed: opts.seed ?? 1, trace });
    const k = this.kernel;
    this.sched = { now: () => k.now, setTimer: (d, fn) => k.schedule(d, fn), clearTimer: (id) => void k.cancel(id) };
    const hop = opts.hopUs ?? 100;
    const store = delayedStore(this.store, this.sched, opts.storeUs ?? 200);
    const downQueue = new AsyncQueue<Down>(this.sched, hop, (m) => this.gateway.downstream(m));
    this.logic = new LogicLayer(store, (_gw, m) => downQueue.push(m), {
      protocol: opts.protocol, pageSize: opts.pageSize,
    });
    this.upQueue = new AsyncQueue<Up>(this.sched, hop, (m) => this.logic.handle(m));
    this.gateway = new Gateway(
      {
        write: (conn, bytes) => this.conns.get(conn)?.serverWrite(bytes),
        close: (conn) => this.conns.get(conn)?.serverClose(),
      },
      (m) => this.upQueue.push(m),
    );
  }

  /** What crossed the links, labelled, in the order written: needs opts.recordWire. */
  wireLog(): WireRecord[] {
    return this.wireWrites.map((w) => ({
      sent: w.sent, received: w.arrives, bytes: w.bytes.length, lost: !w.delivered(),
      from: w.dir === 'up' ? w.user : 'server', to: w.dir === 'up' ? 'server' : w.user,
      label: w.dir === 'up' ? describeRequests(w.bytes) : describeReplies(w.bytes),
    }));
  }

  get now(): number {
    return this.kernel.now;
  }

  get trace(): Trace {
    return this.kernel.trace;
  }

  /** Adds a user's device; call start() on it (or world.login()) to connect. */
  addClient(user: string, overrides: Partial<ClientOptions> = {}): ImClient {
    const opts: ClientOptions = {
      user, token: makeToken(user), protocol: this.opts.protocol, ...this.opts.client, ...overrides,
    };
    if (opts.versioned === undefined && this.opts.pageSize) opts.versioned = { pageSize: this.opts.pageSize };
    let conn: SimConnection | null = null;
    const trace = this.kernel.trace;
    const client: ImClient = new ImClient(
      opts,
      {
        connect: () => {
          const mine = this.connect(client, () => conn === mine);
          conn = mine;
          this.kernel.schedule(this.delays().upUs + this.delays().downUs, () => {
            if (conn === mine && mine.open) client.onConnected();
          });
        },
        write: (bytes) => conn?.clientWrite(bytes),
        close: () => {
          conn?.clientClose();
          conn = null;
        },
      },
      this.sched,
      recordingObserver({
        ledger: this.ledger, user, device: () => client.device, now: () => this.kernel.now, frames: this.frames,
        event: (kind, ...fields) => trace.record(this.kernel.now, kind, ...fields),
      }),
    );
    this.clients.set(user, client);
    return client;
  }

  /** A user sends a message (recorded in the ledger). */
  send(from: string, to: string, body: string): string {
    const c = this.client(from);
    const cmid = c.send(to, body);
    this.ledger.sent(from, to, cmid);
    return cmid;
  }

  client(user: string): ImClient {
    const c = this.clients.get(user);
    if (!c) throw new Error(`no client for user '${user}': call addClient('${user}') first`);
    return c;
  }

  /** Runs the simulation for `us` microseconds of virtual time. */
  runFor(us: number): void {
    this.kernel.run({ until: this.kernel.now + us });
  }

  /** Runs until `cond()` holds; throws if it does not within `limitUs` of virtual time. */
  runUntil(cond: () => boolean, limitUs = 600_000_000, what = 'condition'): void {
    const deadline = this.kernel.now + limitUs;
    while (!cond()) {
      if (this.kernel.pending === 0 || this.kernel.now > deadline || !this.kernel.step()) {
        throw new Error(`simulation: ${what} did not hold by t=${this.kernel.now} µs`);
      }
    }
  }

  private delays(): LinkDelays {
    return this.opts.link ?? { upUs: 20_000, downUs: 20_000, jitterUs: 5_000 };
  }

  /** Opens a connection for `client`; `current()` says whether it is still the client's one. */
  private connect(client: ImClient, current: () => boolean): SimConnection {
    const id = this.nextConn++;
    const trace = this.kernel.trace;
    const c: SimConnection = new SimConnection(this.kernel, id, this.delays(), {
      toServer: (bytes) => this.gateway.data(id, bytes),
      toClient: (bytes) => client.onData(bytes),
      serverClosed: () => {
        this.conns.delete(id);
        trace.record(this.kernel.now, 'closed', 'server', id);
        this.gateway.closed(id);
      },
      clientClosed: () => {
        trace.record(this.kernel.now, 'closed', 'client', id);
        if (current()) client.onClosed();
      },
    }, this.kernel.rng(`link/${id}`), this.opts.recordWire
      ? (dir, sent, arrives, bytes, delivered) => this.wireWrites.push({ dir, user: client.user, sent, arrives, bytes, delivered })
      : undefined);
    this.conns.set(id, c);
    // The server accepts after the SYN's one-way trip; the client hears back after the round trip.
    this.kernel.schedule(this.delays().upUs, () => {
      if (c.open) this.gateway.opened(id);
    });
    return c;
  }
}
