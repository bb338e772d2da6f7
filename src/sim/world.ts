// Assembles one simulated deployment: each client's device on its own radio link (profile,
// mobility, carrier NAT), one connection-layer gateway, the async queue, one logic layer and the
// embedded store, all driven by one kernel. The gateway, logic layer and clients are the very
// objects the real server runs over TCP.
import { Gateway, type OutputBufferOptions } from '../connection/gateway';
import type { Down, Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import { delayedStore } from '../logic/delayed-store';
import { LogicLayer, type SessionDirectory } from '../logic/logic-layer';
import { SessionTable } from '../logic/sessions';
import type { Session } from '../protocol/server-half';
import { ReplyError } from '../wire';
import { LogicModel, type LogicModelOptions } from './logic-model';
import { serviceSampler } from './queueing/service';
import { MemoryStore, type MemoryStoreOptions } from '../logic/memory-store';
import type { RangeResult, SyncStore } from '../logic/store';
import { IdleReaper } from '../connection/idle-reaper';
import type { Scheduler } from '../ports';
import type { MonitorSink } from '../monitor/sink';
import { fanOut } from '../monitor/monitor';
import { CmdqSamples } from './invariants';
import { ImClient, type ClientOptions } from '../protocol/client';
import { msgKey, type ProtocolName } from '../protocol/messages';
import { makeToken } from '../protocol/token';
import { recordingObserver, type FrameRecord } from '../scenario/observer';
import { Kernel } from './kernel';
import { Ledger } from './ledger';
import { DeviceLink } from './network/device-link';
import { startPatterns } from './network/mobility';
import { resolveProfile, type LinkProfile } from './network/profiles';
import type { TcpConnection } from './network/tcp';
import { Trace } from './trace';
import { describeReplies, describeRequests, type WireRecord } from './wire-log';

export interface LinkSetup {
  /** A named profile (see PROFILES) or a user-defined one. Default 'fixed': 20 ms each way. */
  profile?: string | Partial<LinkProfile>;
  /** Mobility patterns (see PATTERNS): 'elevator', 'tunnel', 'train', 'resets', 'half-open'. */
  mobility?: string[];
  /** Carrier NAT idle timeout, µs (default: no NAT). */
  natIdleUs?: number;
  /** TCP gives up on unacknowledged data after this long, µs (default Linux ~924 s). */
  tcpGiveUpUs?: number;
}

export interface WorldOptions {
  protocol: ProtocolName;
  seed?: string | number;
  /** Every device's link, unless addClient() says otherwise. */
  link?: LinkSetup;
  /** Gateway <-> logic queue hop and store round trip (defaults 100 µs, 200 µs). */
  hopUs?: number;
  storeUs?: number;
  pageSize?: number;
  store?: MemoryStoreOptions;
  /** Client defaults; each addClient() may override. */
  client?: Partial<ClientOptions>;
  /** Receives one JSON line per trace event. */
  traceSink?: (line: string) => void;
  /** Keep up to this many trace events in memory (for divergence reports). */
  keepTrace?: number;
  /** Record every write on every link with a label of its frames (for sequence diagrams). */
  recordWire?: boolean;
  /** The connection layer closes a connection silent for this long, µs (default: never). */
  serverIdleUs?: number;
  /** The deck's monitoring, fed as the real server feeds it (cmdq sampled at each change of the up queue). */
  monitor?: MonitorSink;
  /**
   * Model the logic layer's capacity: workers with service times per command, a bounded async queue,
   * request timeouts, a store latency model, restarts (restartLogic). Without it requests reach the
   * logic layer after `hopUs` and cost no time there.
   */
  logic?: LogicModelOptions;
  /** The connection layer's bounded output buffer for slow consumers (see OutputBufferOptions). */
  output?: OutputBufferOptions;
}

/**
 * Queue protocol bookkeeping that explains duplicates: at each login the server re-sends what is
 * still in the user's List; what of that the device had already applied is "owed" a duplicate.
 */
export interface QueueDuplicateAccount {
  owed: number; // messages found applied-but-unacknowledged at a login read
  owedAndApplied: number; // duplicates of owed messages
  unexplained: number; // duplicates of messages nobody owed (should be zero)
}

interface WireWrite { dir: 'up' | 'down'; user: string; sent: number; arrived: number; bytes: Uint8Array; estimate: number }

export class World {
  readonly kernel: Kernel;
  readonly sched: Scheduler;
  readonly gateway: Gateway;
  private logicLayer: LogicLayer;
  readonly store: MemoryStore;
  /** The logic layer's capacity model (only with WorldOptions.logic). */
  readonly logicModel: LogicModel | null = null;
  /** Logic-layer restarts: when each went down and came back (µs), and requests the gateway forwarded again. */
  readonly restarts: { down: number; up: number; retried: number }[] = [];
  private epoch = 0;
  private readonly makeLogic: () => LogicLayer;
  /** Every logic-layer process so far, oldest first (a restart starts another). */
  private readonly processes: LogicLayer[] = [];
  /** Each user's first device (client(user) without a scan). */
  private readonly firstDevice = new Map<string, ImClient>();
  /** Each device's current server-side connection id. */
  private readonly deviceConn = new Map<string, number>();
  readonly ledger = new Ledger();
  /** Every device's client and link, by device name (`<user>-d1` unless given). */
  readonly clients = new Map<string, ImClient>();
  readonly links = new Map<string, DeviceLink>();
  readonly frames: FrameRecord[] = [];
  readonly upQueue: AsyncQueue<Up>;
  private readonly conns = new Map<number, TcpConnection>();
  private readonly wireWrites: WireWrite[] = [];
  private nextConn = 1;
  private readonly reaper: IdleReaper | null;
  readonly queueDuplicates: QueueDuplicateAccount = { owed: 0, owedAndApplied: 0, unexplained: 0 };
  private readonly owed = new Map<string, Set<string>>(); // device -> message keys owed a re-send
  /** With a monitor: the cmdq samples fed to it, integrated over time (runInvariants holds them to Little's law). */
  readonly cmdqSamples: CmdqSamples | null;

  constructor(readonly opts: WorldOptions) {
    const trace = new Trace({ sink: opts.traceSink, keep: opts.keepTrace ?? 0 });
    this.kernel = new Kernel({ seed: opts.seed ?? 1, trace });
    const k = this.kernel;
    this.sched = { now: () => k.now, setTimer: (d, fn) => k.schedule(d, fn), clearTimer: (id) => void k.cancel(id) };
    this.store = new MemoryStore(opts.store);
    const hop = opts.hopUs ?? 100;
    const lat = opts.logic?.storeLatency;
    const storeUs = lat ? serviceSampler(lat, this.kernel.rng('store/latency')) : opts.storeUs ?? 200;
    const store = delayedStore(this.watchQueueLogins(this.store), this.sched, storeUs);
    const downQueue = new AsyncQueue<Down>(this.sched, hop, (m) => this.gateway.downstream(m));
    this.cmdqSamples = opts.monitor ? new CmdqSamples() : null;
    const sink = opts.monitor && this.cmdqSamples ? fanOut(opts.monitor, this.cmdqSamples) : undefined;
    const mon = sink ? { monitor: sink, clock: this.sched } : {};
    const backlog = () => (this.logicModel ? this.logicModel.backlog : this.upQueue.length);
    const cmdq = () => sink?.cmdq(k.now, 0, backlog());
    const directory = opts.logic ? this.routes() : undefined;
    this.makeLogic = () => {
      const epoch = this.epoch;
      // A process that died runs nothing more: store replies to it are dropped (what it wrote stays written).
      const mine: typeof store = opts.logic
        ? { exec: (op, done) => store.exec(op, (r) => void (epoch === this.epoch && done(r))), backlog: 0 }
        : store;
      const made = new LogicLayer(mine, (_gw, m) => {
        if (epoch !== this.epoch) return; // a process that died says nothing
        if (m.k !== 'push') this.logicModel?.answered(m.conn, m.req);
        downQueue.push(m);
      }, { protocol: opts.protocol, pageSize: opts.pageSize, directory, ...mon });
      this.processes.push(made);
      return made;
    };
    this.logicLayer = this.makeLogic();
    this.upQueue = new AsyncQueue<Up>(this.sched, hop, (m) => {
      cmdq();
      this.logic.handle(m);
    });
    if (opts.logic) {
      this.logicModel = new LogicModel(this.sched, (name) => this.kernel.rng(name), opts.logic, hop,
        (m) => this.logic.handle(m),
        (m, why) => downQueue.push({ k: 'reply', conn: m.conn, req: m.req, reply: new ReplyError(why) }),
        cmdq);
    }
    const model = this.logicModel;
    this.gateway = new Gateway(
      {
        write: (conn, bytes) => this.conns.get(conn)?.serverWrite(bytes),
        close: (conn) => this.conns.get(conn)?.serverClose(),
        buffered: (conn) => this.conns.get(conn)?.queued('down') ?? 0,
      },
      model ? (m) => model.offer(m) : (m) => {
        this.upQueue.push(m);
        cmdq();
      },
      { ...mon, output: opts.output },
    );
    this.reaper = opts.serverIdleUs
      ? new IdleReaper(this.sched, opts.serverIdleUs, (id) => {
        const c = this.conns.get(id);
        this.conns.delete(id);
        this.kernel.trace.record(this.kernel.now, 'reaped', id);
        c?.serverClose();
        this.gateway.closed(id);
      })
      : null;
  }

  /** The logic layer now (a restart makes a new one). */
  get logic(): LogicLayer {
    return this.logicLayer;
  }

  /**
   * Messages stored by every logic-layer process of the run (each one's stats.stored: a restart starts
   * a process with fresh stats; a send stored by a process that died is found stored by the next, not
   * stored again).
   */
  get messagesStored(): number {
    return this.processes.reduce((a, p) => a + p.stats.stored, 0);
  }

  /**
   * Restarts the logic layer (needs WorldOptions.logic): its process dies now and a new one takes over
   * `downUs` later. Clients stay connected to the connection layer. Who is online where is kept outside
   * the logic layer (the route table), so the new process serves everyone at once. With a durable
   * queue it first redoes what the old one took and did not answer; otherwise the connection layer
   * forwards again what is still unanswered.
   */
  restartLogic(downUs: number): void {
    const model = this.logicModel;
    if (!model) throw new Error('restartLogic needs a modelled logic layer: give WorldOptions.logic (e.g. { workers: 4 })');
    if (model.isDown) throw new Error('the logic layer is already down');
    const down = this.kernel.now;
    this.kernel.trace.record(down, 'logic-down');
    this.epoch++;
    model.crash();
    this.kernel.schedule(downUs, () => {
      this.logicLayer = this.makeLogic();
      model.resume();
      const retried = model.durable ? 0 : this.gateway.retryUnanswered();
      this.kernel.trace.record(this.kernel.now, 'logic-up', retried);
      this.restarts.push({ down, up: this.kernel.now, retried });
    });
  }

  /**
   * The route table (user -> connections), kept beside the store as the real split deployment keeps it
   * in Redis: it outlives a logic-layer process.
   */
  private routes(): SessionDirectory {
    const byUser = new Map<string, Set<number>>();
    return {
      opened: (s) => void (byUser.get(s.user) ?? byUser.set(s.user, new Set()).get(s.user)!).add(s.conn),
      closed: (_gw, conn, user) => {
        const set = byUser.get(user);
        set?.delete(conn);
        if (set?.size === 0) byUser.delete(user);
      },
      lookup: (user, then) => {
        const sessions: Session[] = [];
        for (const conn of byUser.get(user) ?? []) {
          if (!this.conns.has(conn)) continue; // a close the old process never heard of: repaired on lookup
          sessions.push(this.logic.sessions.get(this.gateway.id, conn) ?? SessionTable.detached(this.gateway.id, conn, user));
        }
        then(sessions);
      },
    };
  }

  /**
   * What the server holds for a device and has not delivered, bytes: written to its connection and still
   * held by the link model (the socket's send buffer: queued, in flight, awaiting a retransmission; not
   * what was handed up or dropped) plus pushes waiting in the connection layer's output buffer.
   */
  serverBacklog(userOrDevice: string): { socket: number; held: number } {
    const id = this.deviceConn.get(this.client(userOrDevice).device);
    const c = id === undefined ? undefined : this.conns.get(id);
    if (id === undefined || !c) return { socket: 0, held: 0 };
    return { socket: c.queued('down'), held: this.gateway.heldBytes(id) };
  }

  /** Wraps the store to see each queue-protocol login read (a range from 0). */
  private watchQueueLogins(store: SyncStore): SyncStore {
    return {
      apply: (op) => {
        const result = store.apply(op);
        if (op.op === 'range' && op.mode === 'queue' && op.after === 0) {
          for (const c of this.clientsOf(op.user)) {
            let owed = this.owed.get(c.device);
            if (!owed) this.owed.set(c.device, (owed = new Set()));
            for (const m of (result as RangeResult).msgs) {
              const key = msgKey(m.from, m.cmid);
              if (this.ledger.timesApplied(c.device, m.from, m.cmid) > 0 && !owed.has(key)) {
                owed.add(key);
                this.queueDuplicates.owed++;
              }
            }
          }
        }
        return result;
      },
    };
  }

  /** A device applied a message again: was it owed (re-sent after a login), or unexplained? */
  private noteApplied(device: string, from: string, cmid: string): void {
    if (this.ledger.timesApplied(device, from, cmid) < 2) return;
    const owed = this.owed.get(device);
    if (owed?.delete(msgKey(from, cmid))) this.queueDuplicates.owedAndApplied++;
    else this.queueDuplicates.unexplained++;
  }

  get now(): number {
    return this.kernel.now;
  }

  get trace(): Trace {
    return this.kernel.trace;
  }

  /** Adds a user's device on its own link; call start() on the client to connect. A user may
   *  have several devices: give each a `device` name. */
  addClient(user: string, overrides: Partial<ClientOptions> = {}, link: LinkSetup = {}): ImClient {
    const deviceName = overrides.device ?? `${user}-d1`;
    if (this.clients.has(deviceName)) throw new Error(`device '${deviceName}' exists already: give another device name`);
    const opts: ClientOptions = {
      user, token: makeToken(user), protocol: this.opts.protocol, random: this.kernel.rng(`client/${deviceName}`),
      ...this.opts.client, ...overrides, device: deviceName,
    };
    if (opts.versioned === undefined && this.opts.pageSize) opts.versioned = { pageSize: this.opts.pageSize };
    const setup = { ...this.opts.link, ...link };
    const device = new DeviceLink(this.kernel, this.kernel.rng(`link/${deviceName}`), resolveProfile(setup.profile ?? 'fixed'), {
      natIdleUs: setup.natIdleUs, giveUpUs: setup.tcpGiveUpUs,
    });
    startPatterns(setup.mobility ?? [], device, this.kernel.rng(`mobility/${deviceName}`));
    this.links.set(deviceName, device);
    let conn: TcpConnection | null = null;
    const trace = this.kernel.trace;
    const client: ImClient = new ImClient(
      opts,
      {
        connect: () => {
          const id = this.nextConn++;
          this.deviceConn.set(deviceName, id);
          let accepted = false;
          const mine: TcpConnection = device.open({
            toServer: (bytes) => {
              this.reaper?.touch(id);
              this.gateway.data(id, bytes);
            },
            toClient: (bytes) => {
              if (this.opts.output) this.gateway.drained(id);
              client.onData(bytes);
            },
            serverClosed: (why) => {
              if (!this.conns.delete(id)) return; // already closed by the connection layer
              this.reaper?.forget(id);
              trace.record(this.kernel.now, 'closed', 'server', user, id, why);
              if (accepted) this.gateway.closed(id);
            },
            clientClosed: (why) => {
              trace.record(this.kernel.now, 'closed', 'client', user, id, why);
              if (conn === mine) {
                conn = null;
                client.onClosed();
              }
            },
          }, this.opts.recordWire ? this.wireObserver(user, device) : undefined);
          conn = mine;
          device.connect(
            () => {
              if (!mine.open) return;
              accepted = true;
              this.conns.set(id, mine);
              this.reaper?.touch(id);
              this.gateway.opened(id);
            },
            () => {
              if (conn === mine && mine.open) client.onConnected();
            },
            (why) => {
              trace.record(this.kernel.now, 'connect-failed', user, why);
              if (conn === mine) {
                conn = null;
                client.onClosed();
              }
            },
          );
        },
        write: (bytes) => conn?.clientWrite(bytes),
        network: () => device.profile.name, // a handover to another profile is another network
        close: () => {
          conn?.clientClose();
          conn = null;
        },
      },
      this.sched,
      recordingObserver({
        ledger: this.ledger, user, device: () => client.device, now: () => this.kernel.now, frames: this.frames,
        event: (kind, ...fields) => {
          trace.record(this.kernel.now, kind, ...fields);
          if (kind === 'applied') this.noteApplied(client.device, String(fields[1]), String(fields[2]));
        },
      }),
    );
    this.clients.set(deviceName, client);
    if (!this.firstDevice.has(user)) this.firstDevice.set(user, client);
    return client;
  }

  /** A user sends a message (recorded in the ledger). */
  send(from: string, to: string, body: string): string {
    const c = this.client(from);
    const cmid = c.send(to, body);
    this.ledger.sent(from, to, cmid, this.kernel.now);
    return cmid;
  }

  /** The user's first device (or the device of that name). */
  client(userOrDevice: string): ImClient {
    const c = this.clients.get(userOrDevice) ?? this.firstDevice.get(userOrDevice);
    if (!c) throw new Error(`no client for '${userOrDevice}': call addClient('${userOrDevice}') first`);
    return c;
  }

  clientsOf(user: string): ImClient[] {
    return [...this.clients.values()].filter((c) => c.user === user);
  }

  /** The link of the user's first device (or of the device of that name). */
  link(userOrDevice: string): DeviceLink {
    const l = this.links.get(this.client(userOrDevice).device);
    if (!l) throw new Error(`no link for '${userOrDevice}'`);
    return l;
  }

  /** Users with at least one device. */
  users(): string[] {
    return [...new Set([...this.clients.values()].map((c) => c.user))];
  }

  /** Runs the simulation for `us` microseconds of virtual time. */
  runFor(us: number): void {
    this.kernel.run({ until: this.kernel.now + us });
  }

  /** Runs until `cond()` holds; throws if it does not within `limitUs` of virtual time. */
  runUntil(cond: () => boolean, limitUs = 600_000_000, what = 'condition'): void {
    const deadline = this.kernel.now + limitUs;
    while (!cond()) {
      if (this.kernel.now > deadline || !this.kernel.step()) {
        throw new Error(`simulation: ${what} did not hold by t=${this.kernel.now} µs`);
      }
    }
  }

  /** What crossed the links, labelled, in the order written: needs opts.recordWire. */
  wireLog(): WireRecord[] {
    return this.wireWrites.map((w) => ({
      sent: w.sent, received: w.arrived >= 0 ? w.arrived : w.estimate, bytes: w.bytes.length, lost: w.arrived < 0,
      from: w.dir === 'up' ? w.user : 'server', to: w.dir === 'up' ? 'server' : w.user,
      label: w.dir === 'up' ? describeRequests(w.bytes) : describeReplies(w.bytes),
    }));
  }

  private wireObserver(user: string, link: DeviceLink) {
    return (dir: 'up' | 'down', sent: number, bytes: Uint8Array) => {
      const p = link.profile;
      const estimate = sent + 1000 * (dir === 'up' ? p.upDelayMs : p.downDelayMs);
      const w: WireWrite = { dir, user, sent, arrived: -1, bytes, estimate };
      this.wireWrites.push(w);
      return (t: number) => void (w.arrived = t);
    };
  }
}
