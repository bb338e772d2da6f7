// The chaos proxy: real TCP through the simulator's link model.
//
// Each accepted connection is one TCP connection of the link model (src/sim/network/tcp.ts) over a
// device's radio link (src/sim/network/device-link.ts) -- the very classes the simulator runs --
// here driven by real sockets and a PacedClock instead of the kernel:
//   client socket --data--> TcpConnection.clientWrite -> [serialisation, delay + jitter,
//   loss = retransmission stalls, cuts, NAT, outages] -> toServer -> upstream socket, and back.
// What the model decides, the proxy makes real: a FIN that arrives ends the real socket (end()),
// a reset or "TCP gave up" resets it (RST), a half-open cut leaves both real sockets open while
// nothing gets through, the handshake (SYN loss, outages, connect give-up) holds the client's
// bytes until the modelled connection is up, and a server that resets its socket has its RST
// travel down the link to the device (TcpConnection.serverReset). Listens on 127.0.0.1 only.
//
// Flow control, as TCP's window does it: per connection and direction the proxy holds what the
// model still has to deliver (TcpConnection.queued) plus what the destination socket has not yet
// taken (its writableLength, so a slow reader counts too) plus, before the modelled handshake, the
// client's early bytes. When that exceeds the window the proxy stops reading the source socket
// (the sender's own kernel buffers fill and its writes block), and reads again once it is back
// under. So a sender faster than the modelled link costs the proxy at most the window plus the one
// chunk read when it was crossed.
import * as net from 'node:net';
import { makeRng } from '../../sim/rng';
import { DeviceLink } from '../../sim/network/device-link';
import { startPatterns } from '../../sim/network/mobility';
import { resolveProfile, type LinkProfile } from '../../sim/network/profiles';
import type { Dir, LinkClock, TcpConnection } from '../../sim/network/tcp';
import { PacedClock } from './paced-clock';

/** What a device's link is made of: the profile, mobility patterns, carrier NAT, TCP give-up. */
export interface DeviceSetup {
  profile?: string | Partial<LinkProfile>;
  mobility?: string[];
  /** Carrier NAT idle timeout, µs (default: no NAT). */
  natIdleUs?: number;
  /** TCP gives up on unacknowledged data after this long, µs (default Linux ~924 s). */
  giveUpUs?: number;
}

export interface ProxyOptions extends DeviceSetup {
  target: { host: string; port: number };
  /** Port to listen on, on 127.0.0.1 (0 = any free port). */
  port?: number;
  seed?: string | number;
  /**
   * Which device a new connection comes from, by its client-side port. Without it (or when it
   * answers undefined) every connection is a device of its own with the proxy's setup.
   */
  deviceOf?: (remotePort: number) => ProxyDevice | undefined | Promise<ProxyDevice | undefined>;
  /** One line per event a user can follow: opened, connected, closed, reset, cut. */
  log?: (line: string) => void;
  /** Bytes one direction of one connection may hold before the proxy stops reading its source. */
  window?: number;
  /**
   * The link model's time (default: a PacedClock on real time, stopped by close()). Tests pass a
   * clock they advance by hand (the simulator's Kernel) so that what the model decides -- NAT
   * expiry, give-ups, handshakes -- does not depend on how fast the machine is; such a clock
   * belongs to the caller and is not stopped by close().
   */
  clock?: LinkClock;
}

export const DEFAULT_WINDOW = 256 * 1024;

/** A link profile by name, as the proxy, `imsim load` and `imsim compare --real` print it ('custom' if unnamed, 'direct' for no link). */
export function profileName(p: string | Partial<LinkProfile> | undefined): string {
  if (p === undefined) return 'direct';
  return typeof p === 'string' ? p : p.name ?? 'custom';
}

/** A device link that also counts lost transmissions and says when it is cut or reset. */
export class ProxyDevice extends DeviceLink {
  /**
   * Transmissions the link model lost on this device: data and FIN segments (each sent again after
   * the retransmission timeout, unless TCP gives up first) and handshake SYNs. The model's
   * LinkPort.lost(dir) does not say what was sent, so a lost server RST (which is not sent again)
   * is counted too; RSTs are rare beside data segments.
   */
  retransmissions = 0;
  cuts = 0;
  resets = 0;
  live = 0; // modelled connections not closed on the device yet

  constructor(
    clock: LinkClock,
    seed: string,
    readonly name: string,
    profile: LinkProfile,
    setup: DeviceSetup,
    private readonly say: (line: string) => void,
    /** Also counted here at the moment of loss: the proxy's running total, kept when the device is gone. */
    private readonly total: { retransmissions: number } = { retransmissions: 0 },
  ) {
    super(clock, makeRng(`${seed}/link/${name}`), profile, { natIdleUs: setup.natIdleUs, giveUpUs: setup.giveUpUs });
  }

  override lost(dir: Dir): boolean {
    const l = super.lost(dir);
    if (l) {
      this.retransmissions++;
      this.total.retransmissions++;
    }
    return l;
  }

  override cutAll(): void {
    this.cuts++;
    this.say(`${this.name}: half-open cut of ${this.live} connection(s) -- nothing gets through, nobody is told`);
    super.cutAll();
  }

  override resetAll(why = 'connection reset'): void {
    this.resets++;
    this.say(`${this.name}: reset of ${this.live} connection(s) (${why})`);
    super.resetAll(why);
  }
}

export interface ProxyStats {
  accepted: number;
  open: number; // connections with a real socket still open on either side
  closed: number; // ended by a FIN that went through
  reset: number; // ended by a reset, a TCP give-up, a NAT reset, a handover
  failed: number; // the modelled handshake never completed
  bytesUp: number; // payload forwarded to the target
  bytesDown: number; // payload forwarded to the clients
  /** Lost transmissions over every device the proxy ever had (see ProxyDevice.retransmissions); never goes down. */
  retransmissions: number;
  /** The most one direction of one connection held, bytes (flow control keeps it near the window). */
  peakBuffered: number;
  /** Times a source socket was paused because its direction held more than the window. */
  pauses: number;
}

/** What one open connection holds now, per direction (bytes), and whether its source is paused. */
export interface ConnectionFlow {
  id: number;
  up: number;
  down: number;
  upPaused: boolean;
  downPaused: boolean;
}

export interface RunningProxy {
  readonly host: string;
  readonly port: number;
  readonly clock: LinkClock;
  /** Devices by name (each connection's own, or those made with device()). */
  readonly devices: Map<string, ProxyDevice>;
  readonly stats: ProxyStats;
  /** The flow-control window, bytes per connection and direction. */
  readonly window: number;
  /** Every open connection's buffered bytes per direction, now. */
  flows(): ConnectionFlow[];
  /** Bytes the proxy holds now, per direction, over all connections. */
  buffered(): { up: number; down: number };
  /** A named device with its own link (for deviceOf); its mobility patterns start now. */
  device(name: string, setup?: DeviceSetup): ProxyDevice;
  /** Every device: cut every live connection half-open / reset every live connection. */
  cutAll(): void;
  resetAll(why?: string): void;
  close(): Promise<void>;
}

const NORMAL_CLOSE = new Set(['closed by the device', 'closed by the server']);

export async function startProxy(o: ProxyOptions): Promise<RunningProxy> {
  const host = '127.0.0.1';
  const seed = String(o.seed ?? 1);
  const paced = o.clock ? null : new PacedClock();
  const clock: LinkClock = o.clock ?? paced!;
  const say = o.log ?? (() => {});
  const t0 = Date.now();
  const log = (line: string) => say(`[${((Date.now() - t0) / 1000).toFixed(3).padStart(8)} s] ${line}`);
  const devices = new Map<string, ProxyDevice>();
  const stats: ProxyStats = {
    accepted: 0, open: 0, closed: 0, reset: 0, failed: 0, bytesUp: 0, bytesDown: 0, retransmissions: 0, peakBuffered: 0, pauses: 0,
  };
  const window = o.window ?? DEFAULT_WINDOW;
  if (!(window > 0)) throw new RangeError(`window must be > 0 bytes, got ${o.window}`);
  const sockets = new Set<net.Socket>();
  const flows = new Map<number, () => ConnectionFlow>();
  let nextId = 1;
  let closing = false;

  const device = (name: string, setup: DeviceSetup = {}): ProxyDevice => {
    const s = { ...o, ...setup };
    const d = new ProxyDevice(clock, seed, name, resolveProfile(s.profile ?? 'wifi'), s, log, stats);
    startPatterns(s.mobility ?? [], d, makeRng(`${seed}/mobility/${name}`));
    devices.set(name, d);
    return d;
  };

  const accept = async (client: net.Socket): Promise<void> => {
    const id = nextId++;
    stats.accepted++;
    stats.open++;
    sockets.add(client);
    client.setNoDelay(true);
    const early: Buffer[] = []; // what the client wrote before the modelled handshake completed
    let earlyBytes = 0;
    let clientEnded = false; // the client sent FIN
    let clientGone = false; // the client's real socket is closed
    let upstream: net.Socket | null = null;
    let upstreamGone = false;
    let conn: TcpConnection | null = null;
    let link: ProxyDevice | null = null;
    let own = false; // a device made for this connection alone
    let connected = false;
    let ended = false;
    const over = (why: string, reset: boolean) => {
      if (ended) return;
      ended = true;
      if (reset) stats.reset++;
      else stats.closed++;
    };
    let counted = false;
    let handshakeOver = false; // the modelled SYN reached the server, or the connect gave up
    // ---- flow control: pause a source whose direction holds more than the window ----
    const waiting = (s: net.Socket | null) => (s && !s.destroyed ? s.writableLength : 0);
    const held = () => ({
      up: earlyBytes + (conn?.queued('up') ?? 0) + waiting(upstream),
      down: (conn?.queued('down') ?? 0) + waiting(client),
    });
    let upPaused = false; // the client socket is not read
    let downPaused = false; // the upstream socket is not read
    const flow = () => {
      const h = held();
      if (h.up > stats.peakBuffered) stats.peakBuffered = h.up;
      if (h.down > stats.peakBuffered) stats.peakBuffered = h.down;
      // a direction that no longer takes writes drops what comes: read on, so FINs and resets are seen
      const holdUp = h.up > window && (conn?.sending('up') ?? true);
      const holdDown = h.down > window && (conn?.sending('down') ?? true);
      if (holdUp !== upPaused) {
        upPaused = holdUp;
        if (holdUp) {
          stats.pauses++;
          client.pause();
        } else client.resume();
      }
      if (holdDown !== downPaused && upstream) {
        downPaused = holdDown;
        if (holdDown) {
          stats.pauses++;
          upstream.pause();
        } else upstream.resume();
      }
    };
    const written = () => flow();
    flows.set(id, () => ({ id, ...held(), upPaused, downPaused }));

    const maybeGone = () => {
      if (counted || !clientGone) return;
      if (upstream ? !upstreamGone : !handshakeOver && conn?.open) return;
      counted = true;
      flows.delete(id);
      stats.open--;
      if (link) link.live--;
      if (own && link) devices.delete(link.name);
    };
    client.on('data', (chunk) => {
      if (connected && conn) conn.clientWrite(chunk);
      else {
        early.push(chunk);
        earlyBytes += chunk.length;
      }
      flow();
    });
    client.on('end', () => {
      clientEnded = true;
      if (connected && conn) conn.clientClose();
    });
    client.on('error', () => {});
    client.on('close', () => {
      sockets.delete(client);
      clientGone = true;
      // destroyed without a FIN, and not by the model: the client's RST travels to the server
      if (!clientEnded && !ended && conn?.open) conn.reset('reset by the client');
      maybeGone();
    });

    const mapped = await o.deviceOf?.(client.remotePort ?? 0);
    own = !mapped;
    link = mapped ?? device(`c${id}`);
    link.live++;
    if ((clientGone && !clientEnded) || closing) {
      handshakeOver = true;
      maybeGone();
      return;
    }
    const dev = link;
    log(`#${id} opened from :${client.remotePort} as device ${dev.name} (${dev.profile.name})`);
    const realClose = (s: net.Socket | null, why: string) => {
      if (!s || s.destroyed) return;
      if (NORMAL_CLOSE.has(why)) s.end();
      else s.resetAndDestroy();
    };
    const c = (conn = dev.open({
      toServer: (bytes) => {
        stats.bytesUp += bytes.length;
        upstream?.write(bytes, written);
        flow();
      },
      toClient: (bytes) => {
        stats.bytesDown += bytes.length;
        if (client.writable) client.write(bytes, written);
        flow();
      },
      serverClosed: (why) => {
        log(`#${id} server side: ${why}`);
        over(why, !NORMAL_CLOSE.has(why));
        realClose(upstream, why);
        flow();
      },
      clientClosed: (why) => {
        log(`#${id} device side: ${why}`);
        over(why, !NORMAL_CLOSE.has(why));
        realClose(client, why);
        flow();
      },
    }));
    const t1 = clock.now;
    dev.connect(
      () => {
        handshakeOver = true;
        if (!c.open || (clientGone && !clientEnded) || closing) {
          maybeGone();
          return;
        }
        const up = net.connect(o.target.port, o.target.host);
        upstream = up;
        sockets.add(up);
        up.setNoDelay(true);
        up.on('data', (chunk) => {
          c.serverWrite(chunk);
          flow();
        });
        up.on('end', () => c.serverClose());
        up.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED') log(`#${id} target ${o.target.host}:${o.target.port} refused the connection: is the server running?`);
        });
        up.on('close', (hadError) => {
          sockets.delete(up);
          upstreamGone = true;
          if (hadError && !closing) {
            // the server reset its socket (or refused): the RST travels down the link to the device
            if (!ended) {
              log(`#${id} server side: reset by the server`);
              over('reset by the server', true);
            }
            c.serverReset('reset by the server');
          } else c.serverClose(); // closed without an error after its FIN, or by the proxy: a FIN travels to the device
          flow();
          maybeGone();
        });
      },
      () => {
        if (!c.open || (clientGone && !clientEnded)) return;
        connected = true;
        log(`#${id} connected (modelled handshake ${((clock.now - t1) / 1000).toFixed(1)} ms)`);
        for (const b of early.splice(0)) c.clientWrite(b);
        earlyBytes = 0;
        if (clientEnded) c.clientClose();
        flow();
      },
      (why) => {
        handshakeOver = true;
        stats.failed++;
        log(`#${id} connect failed: ${why}`);
        over(why, true);
        client.resetAndDestroy();
        maybeGone();
      },
      o.giveUpUs ? Math.min(o.giveUpUs, 63_000_000) : undefined,
    );
  };

  const server = net.createServer((s) => void accept(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host, port, clock, devices, window,
    flows: () => [...flows.values()].map((f) => f()),
    buffered: () => {
      const b = { up: 0, down: 0 };
      for (const f of flows.values()) {
        const x = f();
        b.up += x.up;
        b.down += x.down;
      }
      return b;
    },
    stats,
    device,
    cutAll: () => {
      for (const d of devices.values()) if (d.live > 0) d.cutAll();
    },
    resetAll: (why?: string) => {
      for (const d of devices.values()) if (d.live > 0) d.resetAll(why);
    },
    async close() {
      closing = true;
      paced?.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
