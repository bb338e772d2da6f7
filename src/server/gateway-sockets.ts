// The gateway's sockets: a TCP listener whose connections feed a Gateway (the connection layer),
// and the transport the Gateway writes through. Used by the single-process server and by a
// connection process of a split deployment alike.
import * as net from 'node:net';
import type { Gateway, GatewayTransport } from '../connection/gateway';
import { batchedWrites } from './batched-writes';

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
    close: (conn) => this.sockets.get(conn)?.end(),
  };

  /** Listens on host:port (0 = any free port); resolves with the port. */
  async listen(gateway: Gateway, host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => {
      const id = this.nextConn++; // never reused: a connection id names one connection for good
      this.sockets.set(id, socket);
      socket.setNoDelay(true);
      gateway.opened(id);
      socket.on('data', (chunk) => gateway.data(id, chunk));
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
