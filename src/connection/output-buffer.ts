// The connection layer's bounded output buffer for slow consumers: pushes for a client that does not
// read fast enough wait here, at most `limitBytes` per connection, and a policy decides what happens
// to the ones that do not fit (Redis's client-output-buffer-limit). Sans-I/O: it sees the socket's
// backlog and writes through the OutputBufferPort the Gateway gives it.

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

/** What the output buffer needs from the connection layer. */
export interface OutputBufferPort {
  /** Bytes written to `conn` that its peer has not received yet, counting those not handed to the socket yet. */
  backlog(conn: number): number;
  /** Write one push to `conn` now (the bytes are not kept: the port copies them or writes them at once). */
  write(conn: number, bytes: Uint8Array): void;
  /**
   * The policy dropped a push for `conn`, or (`disconnect`) `conn` must be closed now, its backlog
   * discarded. After `disconnect` the port calls `closed(conn)`, or the connection's held pushes stay.
   */
  slow(conn: number, what: 'dropped' | 'disconnect'): void;
}

/** Pushes waiting for one connection's socket, oldest first, and their bytes. */
interface Held {
  pushes: Buffer[];
  bytes: number;
}

/** The output buffers of all connections of one gateway (state only for connections with pushes waiting). */
export class OutputBuffer {
  readonly limitBytes: number;
  readonly policy: SlowConsumerPolicy;
  readonly socketBytes: number;
  private readonly held = new Map<number, Held>();

  constructor(opts: OutputBufferOptions, private readonly port: OutputBufferPort) {
    if (!SLOW_CONSUMER_POLICIES.includes(opts.policy)) {
      throw new RangeError(`unknown slow-consumer policy '${opts.policy}'; known: ${SLOW_CONSUMER_POLICIES.join(', ')}`);
    }
    if (!(opts.limitBytes >= 0)) throw new RangeError(`output.limitBytes must be >= 0, got ${opts.limitBytes}`);
    this.limitBytes = opts.limitBytes;
    this.policy = opts.policy;
    this.socketBytes = opts.socketBytes ?? DEFAULT_SOCKET_BYTES;
  }

  /** One encoded push for `conn`: written now, held, or handled by the policy. `bytes` is not kept (copied when held). */
  push(conn: number, bytes: Uint8Array): void {
    let h = this.held.get(conn);
    if (!h && this.port.backlog(conn) < this.socketBytes) { // a socket with room takes the whole write (it may go over its share)
      this.port.write(conn, bytes);
      return;
    }
    if ((h?.bytes ?? 0) + bytes.length > this.limitBytes) {
      if (this.policy === 'disconnect') {
        this.port.slow(conn, 'disconnect'); // the port closes it (and calls closed(conn)): nothing more here
        return;
      }
      if (this.policy === 'drop-newest') {
        this.port.slow(conn, 'dropped');
        return;
      }
      // drop-oldest: make room for the newest
      while (h && h.pushes.length > 0 && h.bytes + bytes.length > this.limitBytes) {
        h.bytes -= h.pushes.shift()!.length;
        this.port.slow(conn, 'dropped');
      }
      if (bytes.length > this.limitBytes) {
        // (a buffer emptied here stays: the next push waits behind it for drained(), as before the split)
        this.port.slow(conn, 'dropped');
        return;
      }
    }
    if (!h) this.held.set(conn, h = { pushes: [], bytes: 0 });
    h.pushes.push(Buffer.from(bytes));
    h.bytes += bytes.length;
  }

  /** The socket of `conn` sent some of its backlog: held pushes go out while it has room. Returns how many. */
  drained(conn: number): number {
    const h = this.held.get(conn);
    if (!h) return 0;
    let socket = this.port.backlog(conn);
    let n = 0;
    while (h.pushes.length > 0 && socket < this.socketBytes) {
      const b = h.pushes.shift()!;
      h.bytes -= b.length;
      socket += b.length;
      n++;
      this.port.write(conn, b);
    }
    if (h.pushes.length === 0) this.held.delete(conn);
    return n;
  }

  /** Whether pushes for `conn` wait for its socket. */
  holding(conn: number): boolean {
    return this.held.has(conn);
  }

  /** Bytes of pushes waiting for `conn`. */
  heldBytes(conn: number): number {
    return this.held.get(conn)?.bytes ?? 0;
  }

  /** `conn` is gone: what waited for it is discarded. */
  closed(conn: number): void {
    this.held.delete(conn);
  }
}
