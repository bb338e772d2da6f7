// The gateway's sockets: a TCP listener whose connections feed a Gateway (the connection layer),
// and the transport the Gateway writes through. Used by the single-process server and by a
// connection process of a split deployment alike.
//
// Slow consumers: the transport reports what each socket has not sent yet (`buffered`: Node's
// writableLength, which counts the bytes batchedWrites corked this turn too) and tells the gateway when a
// socket has sent its backlog ('drain' -> gateway.drained). With a bounded output buffer the sockets'
// write high-water mark is the gateway's socket share, so a socket the gateway stops pushing to (it
// holds >= socketBytes) is always one whose write() returned false, and its 'drain' is sure to come.
import * as net from 'node:net';
import { DEFAULT_SOCKET_BYTES, type Gateway, type GatewayTransport, type OutputBufferOptions } from '../connection/gateway';
import { batchedWrites } from './batched-writes';

export interface GatewaySocketsOptions {
  /**
   * The gateway bounds pushes with this socket share (OutputBufferOptions.socketBytes): each socket's write
   * high-water mark, so 'drain' fires whenever pushes wait in the gateway. Absent: Node's default mark.
   */
  socketBytes?: number;
}

/** What the server holds for one connection that its client has not received: unsent socket bytes, pushes in the output buffer. */
export interface ConnectionBacklog {
  socket: number;
  held: number;
}

/** The sockets of a gateway with an output buffer drain at its socket share (GatewaySockets' 'drain'). */
export function socketsFor(output: OutputBufferOptions | undefined): GatewaySockets {
  return new GatewaySockets(output ? { socketBytes: output.socketBytes ?? DEFAULT_SOCKET_BYTES } : {});
}

export class GatewaySockets {
  private readonly sockets = new Map<number, net.Socket>();
  private server: net.Server | null = null;
  private nextConn = 1;
  private readonly write = batchedWrites(); // one writev per socket per event-loop turn
  /** What the Gateway writes through. */
  readonly transport: GatewayTransport = {
    write: (conn, bytes) => {
      const s = this.sockets.get(conn);
      if (s) this.write(s, bytes);
    },
    // abort: a slow consumer cut off -- its unsent backlog is dropped, not kept until a peer that does not read reads it
    close: (conn, abort) => {
      const s = this.sockets.get(conn);
      if (abort) s?.destroy();
      else s?.end();
    },
    buffered: (conn) => this.buffered(conn),
  };

  constructor(private readonly opts: GatewaySocketsOptions = {}) {
    if (opts.socketBytes !== undefined && !(opts.socketBytes >= 0)) throw new RangeError(`socketBytes must be >= 0, got ${opts.socketBytes}`);
  }

  /** Listens on host:port (0 = any free port); resolves with the port. */
  async listen(gateway: Gateway, host: string, port: number): Promise<number> {
    const serverOpts: net.ServerOpts = this.opts.socketBytes === undefined ? {} : { highWaterMark: this.opts.socketBytes };
    const server = net.createServer(serverOpts, (socket) => {
      const id = this.nextConn++; // never reused: a connection id names one connection for good
      this.sockets.set(id, socket);
      socket.setNoDelay(true);
      gateway.opened(id);
      socket.on('data', (chunk) => gateway.data(id, chunk));
      socket.on('drain', () => gateway.drained(id)); // pushes held for a slow consumer go out (a no-op when none wait)
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.sockets.delete(id);
        gateway.closed(id);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  has(conn: number): boolean {
    return this.sockets.has(conn);
  }

  /** Bytes written to `conn` that its socket has not handed to the kernel yet (0 for a connection gone). */
  buffered(conn: number): number {
    return this.sockets.get(conn)?.writableLength ?? 0;
  }

  /** Kills one connection at once (its client will reconnect). */
  destroy(conn: number): void {
    this.sockets.get(conn)?.destroy();
  }

  /** Kills every connection (their clients reconnect), keeps listening. */
  destroyAll(): void {
    for (const s of this.sockets.values()) s.destroy();
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Stops listening and kills every connection. */
  close(): Promise<void> {
    const server = this.server;
    this.destroyAll();
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
