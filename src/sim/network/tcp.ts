// TCP as the applications on each end see it, over one device's radio link (DeviceLink).
//
// While a connection lives it is a reliable, ordered byte stream per direction: each write is cut
// into segments; a segment is serialised at the link's bandwidth (behind everything queued before
// it: head-of-line), travels the one-way delay plus jitter, and a lost transmission is sent again
// after a retransmission timeout that doubles each time (RFC 6298). The receiver hands bytes up
// strictly in order, so one lost segment stalls everything behind it, but nothing inside a live
// stream is ever lost. Bytes are lost only when a connection dies:
//   - close (FIN): travels behind the data; the peer learns after it;
//   - abort: a sender whose segment went unacknowledged for `giveUpUs` gives up (Linux
//     tcp_retries2=15: ~924 s); only that side learns;
//   - half-open cut (cut()): from then on nothing gets through either way and nobody is told;
//   - carrier NAT idle expiry: after `natIdleUs` without a packet the mapping is gone. The next
//     packet from the device is answered with a reset (the device learns); packets from the server
//     vanish (the server learns only by giving up);
//   - handover: the device's address changes, its sockets die at once; the server side is left
//     half-open;
//   - server reset (serverReset()): the server's socket dies at once and its unsent data with it;
//     the RST travels down like a segment (delay, loss, cuts), not behind the data. A lost RST is
//     not sent again: the device learns when its next segment reaches the server and is answered
//     with another RST.
// Simplifications, stated: TCP ACKs are not modelled (they are small and ride with data or the
// RTO), retransmissions do not take bandwidth, and the RTO is max(200 ms, 2 x the base RTT).
import type { Rng } from '../rng';

/**
 * The time source the link model runs on: the simulator's Kernel, or real time paced by the
 * real runtime (src/server/proxy/paced-clock.ts). `now` is in integer microseconds; while a
 * scheduled function runs, `now` is the time it was due.
 */
export interface LinkClock {
  readonly now: number;
  schedule(delayUs: number, fn: () => void): unknown;
}

export const MSS = 1448;
export const HEADER_BYTES = 40; // IPv4 + TCP without options
export const LINUX_GIVE_UP_US = 924_600_000; // tcp_retries2 = 15 with a 200 ms minimum RTO

export type Dir = 'up' | 'down'; // up = device -> server

export interface ConnectionEnds {
  toServer(bytes: Uint8Array): void;
  toClient(bytes: Uint8Array): void;
  serverClosed(why: string): void;
  clientClosed(why: string): void;
}

/** What a connection needs from the link it runs over. */
export interface LinkPort {
  readonly kernel: LinkClock;
  readonly rng: Rng;
  transmit(dir: Dir, conn: number, bytes: number, done: () => void): void;
  /** Is this transmission lost? (outage, random loss, burst state) */
  lost(dir: Dir): boolean;
  delayUs(dir: Dir): number; // propagation + jitter for one segment
  rtoUs(): number;
  readonly giveUpUs: number;
  readonly natIdleUs: number;
  arrived(dir: Dir, bytes: number): void; // radio and byte accounting
}

interface Segment {
  seq: number;
  bytes: Uint8Array | null; // null = FIN
  firstTx: number;
}

class Stream {
  nextSeq = 0; // next sequence number to send
  nextDeliver = 0; // next sequence number the receiver hands up
  readonly held = new Map<number, Segment>(); // arrived out of order
  readonly watchers = new Map<number, (arrived: number) => void>(); // last seq of a write -> observer
  senderOpen = true;
  receiverOpen = true;
  /** Payload bytes written and not yet handed up, dropped or abandoned: what the model holds. */
  queued = 0;
}

/** Sees every write; may return a function told when the write's last byte was handed up. */
export type WriteObserver = (dir: Dir, sent: number, bytes: Uint8Array) => ((arrived: number) => void) | void;

export class TcpConnection {
  private readonly up = new Stream();
  private readonly down = new Stream();
  private cutAt = -1; // >= 0: half-open since then
  private readonly aborted: Record<Dir, boolean> = { up: false, down: false }; // up = the device's socket
  private natDead = false;
  private resetByServer = '';
  private lastPacket: number;
  payloadUp = 0;
  payloadDown = 0;

  constructor(
    private readonly link: LinkPort,
    readonly id: number,
    private readonly ends: ConnectionEnds,
    private readonly observe?: WriteObserver,
  ) {
    this.lastPacket = link.kernel.now;
  }

  /** Both applications still hold the connection (neither has closed or given up). */
  get open(): boolean {
    return this.up.senderOpen && this.down.senderOpen;
  }

  /**
   * Payload bytes of one direction the model still holds: written, and not yet handed up to the
   * receiver nor dropped (queued behind the bandwidth, in flight, waiting for a retransmission,
   * held out of order). A runtime uses it as the send window (the chaos proxy's backpressure).
   */
  queued(dir: Dir): number {
    return this.stream(dir).queued;
  }

  /** Does this direction still take writes (its sender has neither closed nor died)? */
  sending(dir: Dir): boolean {
    return this.stream(dir).senderOpen;
  }

  clientWrite(bytes: Uint8Array): void {
    if (!this.up.senderOpen) return;
    this.payloadUp += bytes.length;
    this.watch('up', bytes);
    this.send('up', bytes);
  }

  serverWrite(bytes: Uint8Array): void {
    if (!this.down.senderOpen) return;
    this.payloadDown += bytes.length;
    this.watch('down', bytes);
    this.send('down', bytes);
  }

  /** The device closes: a FIN follows its data; the server learns when the FIN arrives. */
  clientClose(): void {
    if (!this.up.senderOpen) return;
    this.send('up', null);
    this.up.senderOpen = false;
    this.down.receiverOpen = false; // the app is gone: what still comes is dropped
  }

  serverClose(): void {
    if (!this.down.senderOpen) return;
    this.send('down', null);
    this.down.senderOpen = false;
    this.up.receiverOpen = false;
  }

  /**
   * The server's socket is destroyed with a reset (RST). The server side is gone at once (its
   * unsent data is dropped, what the device still sends is refused); the RST travels down the link
   * like a segment, so the device learns one trip later -- unless the RST is lost or the link is
   * cut, and then only when its next segment reaches the server and is answered with another RST.
   * The server is not told about its own reset.
   */
  serverReset(why = 'reset by the server'): void {
    if (this.aborted.down) return;
    this.aborted.down = true;
    this.down.senderOpen = false;
    this.up.receiverOpen = false;
    this.resetByServer = why;
    this.rst();
  }

  /** Half-open cut: nothing gets through any more, and neither side is told. */
  cut(): void {
    if (this.cutAt < 0) this.cutAt = this.link.kernel.now;
  }

  /** A reset from a middlebox: the device learns at once, the server one trip later. */
  reset(why: string): void {
    this.cut();
    this.abort('up', why);
    this.link.kernel.schedule(this.link.delayUs('up'), () => this.abort('down', why));
  }

  /** The device's sockets die at once (handover, airplane mode); the server side is left half-open. */
  deviceReset(why: string): void {
    this.cut();
    this.abort('up', why);
  }

  get halfOpen(): boolean {
    return this.cutAt >= 0 || this.natDead;
  }

  // ---- segments ---------------------------------------------------------------------------

  private watch(dir: Dir, bytes: Uint8Array): void {
    const w = this.observe?.(dir, this.link.kernel.now, bytes);
    if (!w) return;
    const s = this.stream(dir);
    s.watchers.set(s.nextSeq + Math.max(1, Math.ceil(bytes.length / MSS)) - 1, w);
  }

  private stream(dir: Dir): Stream {
    return dir === 'up' ? this.up : this.down;
  }

  private send(dir: Dir, bytes: Uint8Array | null): void {
    const s = this.stream(dir);
    const now = this.link.kernel.now;
    if (bytes === null) {
      this.enqueue(dir, { seq: s.nextSeq++, bytes: null, firstTx: now });
      return;
    }
    s.queued += bytes.length;
    for (let off = 0; off < bytes.length; off += MSS) {
      const chunk = bytes.subarray(off, Math.min(bytes.length, off + MSS));
      this.enqueue(dir, { seq: s.nextSeq++, bytes: chunk, firstTx: now });
    }
  }

  /** A segment the model lets go of (handed up, dropped or abandoned). */
  private release(dir: Dir, seg: Segment): void {
    this.stream(dir).queued -= seg.bytes?.length ?? 0;
  }

  private enqueue(dir: Dir, seg: Segment): void {
    const size = (seg.bytes?.length ?? 0) + HEADER_BYTES;
    this.link.transmit(dir, this.id, size, () => this.attempt(dir, seg, 0));
  }

  /** One transmission of a segment, just serialised onto the link. */
  private attempt(dir: Dir, seg: Segment, tries: number): void {
    const k = this.link.kernel;
    if (this.aborted[dir] || this.natExpired(dir)) {
      // a closed sender still sends what it wrote (FIN included); an aborted one does not
      this.release(dir, seg);
      return;
    }
    if (this.cutAt < 0 && !this.natDead && !this.link.lost(dir)) {
      this.lastPacket = k.now;
      k.schedule(this.link.delayUs(dir), () => this.arrive(dir, seg));
      return;
    }
    // Lost: retransmit after the (doubling) timeout, unless TCP gives up first.
    const backoff = this.link.rtoUs() * 2 ** Math.min(tries, 16);
    if (k.now + backoff - seg.firstTx > this.link.giveUpUs) {
      k.schedule(Math.max(0, seg.firstTx + this.link.giveUpUs - k.now), () => {
        this.release(dir, seg);
        this.abort(dir, 'TCP gave up (no acknowledgement)');
      });
      return;
    }
    k.schedule(backoff, () => this.attempt(dir, seg, tries + 1));
  }


  /** Carrier NAT: a packet after the idle timeout finds no mapping. */
  private natExpired(dir: Dir): boolean {
    const k = this.link.kernel;
    if (!this.natDead && k.now - this.lastPacket > this.link.natIdleUs) this.natDead = true;
    if (!this.natDead) return false;
    if (dir === 'up' && this.cutAt < 0) {
      // The device's packet gets a fresh mapping; the server knows no such connection: RST.
      this.cut();
      k.schedule(this.link.delayUs('up') + this.link.delayUs('down'), () => this.abort('up', 'reset (NAT mapping expired)'));
      return true;
    }
    return false; // down: falls through to "lost" and the server retransmits until it gives up
  }

  private arrive(dir: Dir, seg: Segment): void {
    const r = this.stream(dir);
    if (!r.receiverOpen) {
      this.drop(r, seg);
      if (dir === 'up' && this.resetByServer) this.rst(); // the server knows no such connection
      return;
    }
    this.link.arrived(dir, (seg.bytes?.length ?? 0) + HEADER_BYTES);
    if (seg.seq < r.nextDeliver) {
      this.release(dir, seg);
      return;
    }
    r.held.set(seg.seq, seg);
    for (let s = r.held.get(r.nextDeliver); s; s = r.held.get(r.nextDeliver)) {
      r.held.delete(r.nextDeliver);
      r.nextDeliver++;
      this.release(dir, s);
      if (!r.receiverOpen) {
        this.drop(r, null);
        return;
      }
      if (s.bytes === null) {
        this.finArrived(dir);
        return;
      }
      const w = r.watchers.get(s.seq);
      if (w) {
        r.watchers.delete(s.seq);
        w(this.link.kernel.now);
      }
      if (dir === 'up') this.ends.toServer(s.bytes);
      else this.ends.toClient(s.bytes);
    }
  }

  /** The receiver is gone: this segment and any held out of order will never be handed up. */
  private drop(r: Stream, seg: Segment | null): void {
    if (seg) r.queued -= seg.bytes?.length ?? 0;
    for (const h of r.held.values()) r.queued -= h.bytes?.length ?? 0;
    r.held.clear();
  }

  /** The server's RST goes down the link: it can be lost or cut (it is not sent again). */
  private rst(): void {
    const k = this.link.kernel;
    if (this.aborted.up) return;
    if (this.natExpired('down') || this.cutAt >= 0 || this.link.lost('down')) return;
    this.lastPacket = k.now;
    k.schedule(this.link.delayUs('down'), () => {
      if (this.aborted.up) return;
      this.link.arrived('down', HEADER_BYTES);
      this.abort('up', this.resetByServer);
    });
  }

  private finArrived(dir: Dir): void {
    if (dir === 'up') {
      this.up.receiverOpen = false;
      this.down.senderOpen = false; // the server closes its side in turn
      this.ends.serverClosed('closed by the device');
    } else {
      this.down.receiverOpen = false;
      this.up.senderOpen = false;
      this.ends.clientClosed('closed by the server');
    }
  }

  /** One side's socket dies with an error; the other side is not told. */
  private abort(side: Dir, why: string): void {
    if (side === 'up') {
      if (this.aborted.up && !this.down.receiverOpen) return;
      this.aborted.up = true;
      this.up.senderOpen = false;
      const wasOpen = this.down.receiverOpen;
      this.down.receiverOpen = false;
      if (wasOpen) this.ends.clientClosed(why);
    } else {
      if (this.aborted.down && !this.up.receiverOpen) return;
      this.aborted.down = true;
      this.down.senderOpen = false;
      const wasOpen = this.up.receiverOpen;
      this.up.receiverOpen = false;
      if (wasOpen) this.ends.serverClosed(why);
    }
  }
}
