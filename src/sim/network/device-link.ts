// One device's radio link to the server: the shared bottleneck for all of the device's
// connections. Per direction a transmitter serialises segments at the profile's bandwidth, taking
// connections in turn (so a big upload on one connection does not starve another completely, but
// one connection's big frame blocks everything behind it on that connection). The link also holds
// what is not per connection: outages (elevator, tunnel), Gilbert-Elliott loss bursts, the
// carrier NAT's idle timeout, and the radio's power state (wake-ups after the tail time).
import type { Rng } from '../rng';
import type { LinkProfile } from './profiles';
import { LINUX_GIVE_UP_US, TcpConnection, type ConnectionEnds, type Dir, type LinkClock, type LinkPort, type WriteObserver } from './tcp';

export interface LinkOptions {
  /** Carrier NAT idle timeout (Infinity = no NAT). China 2G/3G lore: ~5 min; RFC 5382 asks >= 2 h 4 min. */
  natIdleUs?: number;
  giveUpUs?: number;
}

class Transmitter {
  private readonly conns = new Map<number, { bytes: number; done: () => void }[]>();
  private turn: number[] = []; // connection keys with queued segments, round robin
  private busy = false;
  queuedBytes = 0;

  constructor(private readonly kernel: LinkClock, private readonly kbps: () => number) {}

  send(conn: number, bytes: number, done: () => void): void {
    const bps = this.kbps();
    if (bps <= 0) {
      done(); // not a bottleneck: no serialisation delay
      return;
    }
    let q = this.conns.get(conn);
    if (!q) {
      this.conns.set(conn, (q = []));
      this.turn.push(conn);
    }
    q.push({ bytes, done });
    this.queuedBytes += bytes;
    if (!this.busy) this.next();
  }

  private next(): void {
    const conn = this.turn.shift();
    if (conn === undefined) {
      this.busy = false;
      return;
    }
    const q = this.conns.get(conn)!;
    const seg = q.shift()!;
    if (q.length) this.turn.push(conn);
    else this.conns.delete(conn);
    this.busy = true;
    this.queuedBytes -= seg.bytes;
    const us = Math.max(1, Math.ceil((seg.bytes * 8 * 1000) / this.kbps()));
    this.kernel.schedule(us, () => {
      seg.done();
      this.next();
    });
  }
}

export class DeviceLink implements LinkPort {
  readonly giveUpUs: number;
  readonly natIdleUs: number;
  private readonly tx: Record<Dir, Transmitter>;
  private readonly conns = new Set<TcpConnection>();
  private nextConn = 1;
  /** In an outage every transmission is lost (TCP keeps retrying with backoff). */
  outage = false;
  private bad = false; // Gilbert-Elliott state
  private radioUntil = -1;
  /** Radio wake-ups: packets that found the radio idle (after the tail time). */
  wakeups = 0;
  bytesUp = 0;
  bytesDown = 0;

  constructor(
    readonly kernel: LinkClock,
    readonly rng: Rng,
    public profile: LinkProfile,
    opts: LinkOptions = {},
  ) {
    this.giveUpUs = opts.giveUpUs ?? LINUX_GIVE_UP_US;
    this.natIdleUs = opts.natIdleUs ?? Infinity;
    this.tx = {
      up: new Transmitter(kernel, () => this.profile.upKbps),
      down: new Transmitter(kernel, () => this.profile.downKbps),
    };
    if (profile.bursts) this.scheduleBurst();
  }

  open(ends: ConnectionEnds, observe?: WriteObserver): TcpConnection {
    const c = new TcpConnection(this, this.nextConn++, {
      ...ends,
      clientClosed: (why) => {
        this.conns.delete(c);
        ends.clientClosed(why);
      },
    }, observe);
    this.conns.add(c);
    return c;
  }

  /** Wi-Fi <-> cellular: the device's address changes; its connections die on the device at once. */
  handover(to?: LinkProfile): void {
    for (const c of [...this.conns]) c.deviceReset('network changed (handover)');
    this.conns.clear();
    if (to) this.profile = to;
  }

  /** Cuts every live connection half-open (a middlebox lost its state; nobody is told). */
  cutAll(): void {
    for (const c of this.conns) c.cut();
  }

  /** Resets every live connection (both ends learn). */
  resetAll(why = 'connection reset'): void {
    for (const c of [...this.conns]) c.reset(why);
  }

  /**
   * TCP's three-way handshake: the SYN and SYN-ACK can be lost like any segment; the SYN is sent
   * again after 1, 2, 4, ... s until the OS gives up (Android ~63 s). `accepted` runs on the
   * server when the SYN arrives, `connected` on the device one trip later.
   */
  connect(accepted: () => void, connected: () => void, failed: (why: string) => void, giveUpUs = 63_000_000): void {
    const k = this.kernel;
    const start = k.now;
    const tryOnce = (tries: number): void => {
      this.touchRadio();
      if (!this.lost('up') && !this.lost('down')) {
        const up = this.delayUs('up');
        k.schedule(up, accepted);
        k.schedule(up + this.delayUs('down'), () => {
          this.touchRadio();
          connected();
        });
        return;
      }
      const wait = 1_000_000 * 2 ** tries;
      if (k.now + wait - start > giveUpUs) k.schedule(Math.max(0, start + giveUpUs - k.now), () => failed('connect timed out'));
      else k.schedule(wait, () => tryOnce(tries + 1));
    };
    tryOnce(0);
  }

  // ---- LinkPort ---------------------------------------------------------------------------

  transmit(dir: Dir, conn: number, bytes: number, done: () => void): void {
    if (dir === 'up') this.touchRadio();
    this.tx[dir].send(conn, bytes, done);
  }

  lost(dir: Dir): boolean {
    if (this.outage) return true;
    const p = this.bad && this.profile.bursts ? this.profile.bursts.badLoss : this.profile.loss;
    return p > 0 && (p >= 1 || this.rng.next() < p);
  }

  delayUs(dir: Dir): number {
    const base = (dir === 'up' ? this.profile.upDelayMs : this.profile.downDelayMs) * 1000;
    const jitter = this.profile.jitterMs > 0 ? Math.floor(this.rng.next() * this.profile.jitterMs * 1000) : 0;
    return Math.round(base) + jitter;
  }

  rtoUs(): number {
    return Math.max(200_000, 2 * 1000 * (this.profile.upDelayMs + this.profile.downDelayMs));
  }

  arrived(dir: Dir, bytes: number): void {
    if (dir === 'down') {
      this.bytesDown += bytes;
      this.touchRadio();
    } else {
      this.bytesUp += bytes;
    }
  }

  private touchRadio(): void {
    const now = this.kernel.now;
    if (now > this.radioUntil) this.wakeups++;
    this.radioUntil = now + this.profile.radioTailMs * 1000;
  }

  private scheduleBurst(): void {
    const b = this.profile.bursts!;
    const meanMs = this.bad ? b.badMs : b.goodMs;
    this.kernel.schedule(Math.max(1, Math.round(this.rng.exp(meanMs * 1000))), () => {
      this.bad = !this.bad;
      this.scheduleBurst();
    });
  }
}
