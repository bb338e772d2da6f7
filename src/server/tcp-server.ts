// The real runtime of the server: the same Gateway and LogicLayer the simulator drives, here fed
// by net.Socket. One process holds both layers, joined by the same async queue; the store is the
// embedded one (answers on the next tick).
import * as net from 'node:net';
import { Gateway } from '../connection/gateway';
import type { Down, Up } from '../connection/layer-messages';
import { AsyncQueue } from '../logic/async-queue';
import { delayedStore } from '../logic/delayed-store';
import { LogicLayer } from '../logic/logic-layer';
import { MemoryStore } from '../logic/memory-store';
import type { ProtocolName } from '../protocol/messages';
import { realScheduler } from './real-scheduler';

export interface ServeOptions {
  protocol: ProtocolName;
  host?: string;
  port?: number; // 0 = any free port
  secret?: string;
  pageSize?: number;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly gateway: Gateway;
  readonly logic: LogicLayer;
  readonly store: MemoryStore;
  /** Items waiting in the gateway -> logic queue (cmdq). */
  readonly backlog: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 7379;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const sched = realScheduler();
  const memory = new MemoryStore();
  const sockets = new Map<number, net.Socket>();
  let gateway!: Gateway;
  const downQueue = new AsyncQueue<Down>(sched, 0, (m) => gateway.downstream(m));
  const logic = new LogicLayer(delayedStore(memory, sched, 0), (_gw, m) => downQueue.push(m), {
    protocol: opts.protocol, secret: opts.secret, pageSize: opts.pageSize,
  });
  const upQueue = new AsyncQueue<Up>(sched, 0, (m) => logic.handle(m));
  gateway = new Gateway(
    {
      write: (conn, bytes) => sockets.get(conn)?.write(bytes),
      close: (conn) => sockets.get(conn)?.end(),
    },
    (m) => upQueue.push(m),
  );

  let nextConn = 1;
  const server = net.createServer((socket) => {
    const id = nextConn++;
    sockets.set(id, socket);
    socket.setNoDelay(true);
    gateway.opened(id);
    socket.on('data', (chunk) => gateway.data(id, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(id);
      gateway.closed(id);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, host, gateway, logic, store: memory,
    get backlog() {
      return upQueue.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets.values()) s.destroy();
        server.close(() => resolve());
      }),
  };
}
