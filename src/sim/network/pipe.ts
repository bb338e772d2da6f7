// A simulated TCP connection between a client and the connection layer: a one-way delay per
// direction plus a uniform random jitter per write (from the connection's own seeded stream). Bytes keep their order (a later write never overtakes an earlier one) and
// a close travels behind the data already sent, like a FIN. Bytes that reach a side which has
// already closed are dropped, as a reset would.
import type { Random } from '../../ports';
import type { Kernel } from '../kernel';

export interface LinkDelays {
  upUs: number; // client -> server
  downUs: number; // server -> client
  jitterUs?: number; // each write is delayed by an extra uniform [0, jitter)
}

/** Called for every write: when it left, when it arrives (or would have), and whether it got there. */
export type WriteObserver = (dir: 'up' | 'down', sent: number, arrives: number, bytes: Uint8Array, delivered: () => boolean) => void;

export interface ConnectionEnds {
  toServer(bytes: Uint8Array): void;
  toClient(bytes: Uint8Array): void;
  serverClosed(): void; // the server side learns that the connection is gone
  clientClosed(): void;
}

export class SimConnection {
  private clientOpen = true;
  private serverOpen = true;
  private upFree = 0; // time the up direction is next free (keeps order)
  private downFree = 0;
  bytesUp = 0;
  bytesDown = 0;

  constructor(
    private readonly kernel: Kernel,
    readonly id: number,
    private readonly delays: LinkDelays,
    private readonly ends: ConnectionEnds,
    private readonly rng: Random,
    private readonly observe?: WriteObserver,
  ) {}

  get open(): boolean {
    return this.clientOpen && this.serverOpen;
  }

  clientWrite(bytes: Uint8Array): void {
    if (!this.clientOpen) return;
    this.bytesUp += bytes.length;
    const sent = this.kernel.now;
    this.upFree = this.arrival(this.upFree, this.delays.upUs);
    let delivered = false;
    this.kernel.at(this.upFree, () => {
      if (!this.serverOpen) return;
      delivered = true;
      this.ends.toServer(bytes);
    });
    this.observe?.('up', sent, this.upFree, bytes, () => delivered);
  }

  serverWrite(bytes: Uint8Array): void {
    if (!this.serverOpen) return;
    this.bytesDown += bytes.length;
    const sent = this.kernel.now;
    this.downFree = this.arrival(this.downFree, this.delays.downUs);
    let delivered = false;
    this.kernel.at(this.downFree, () => {
      if (!this.clientOpen) return;
      delivered = true;
      this.ends.toClient(bytes);
    });
    this.observe?.('down', sent, this.downFree, bytes, () => delivered);
  }

  /** The client closes: the server hears of it after the data already on its way. */
  clientClose(): void {
    if (!this.clientOpen) return;
    this.clientOpen = false;
    this.upFree = this.arrival(this.upFree, this.delays.upUs);
    this.kernel.at(this.upFree, () => this.closeServerSide());
  }

  serverClose(): void {
    if (!this.serverOpen) return;
    this.serverOpen = false;
    this.downFree = this.arrival(this.downFree, this.delays.downUs);
    this.kernel.at(this.downFree, () => {
      if (!this.clientOpen) return;
      this.clientOpen = false;
      this.ends.clientClosed();
    });
  }

  private closeServerSide(): void {
    if (!this.serverOpen) return;
    this.serverOpen = false;
    this.ends.serverClosed();
  }

  private arrival(free: number, delay: number): number {
    const jitter = this.delays.jitterUs ? Math.floor(this.rng.next() * this.delays.jitterUs) : 0;
    return Math.max(free, this.kernel.now + delay + jitter);
  }
}
