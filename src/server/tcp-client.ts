// The real runtime of the client: the same ImClient the simulator drives, over a net.Socket.
// Events from a socket the client already gave up on are ignored.
import * as net from 'node:net';
import { ImClient, type ClientObserver, type ClientOptions } from '../protocol/client';
import type { Scheduler } from '../ports';
import { realScheduler } from './real-scheduler';

export interface Endpoint {
  host: string;
  port: number;
  /** Told of each new socket before it connects (e.g. the load generator maps its local port to a device). */
  onSocket?(socket: net.Socket): void;
}

export function tcpClient(
  opts: ClientOptions,
  at: Endpoint,
  observer: ClientObserver = {},
  sched: Scheduler = realScheduler(),
): ImClient {
  let socket: net.Socket | null = null;
  const client: ImClient = new ImClient(
    opts,
    {
      connect() {
        const s = net.connect(at.port, at.host);
        socket = s;
        at.onSocket?.(s);
        s.setNoDelay(true);
        s.on('connect', () => socket === s && client.onConnected());
        s.on('data', (chunk) => socket === s && client.onData(chunk));
        s.on('error', () => s.destroy());
        s.on('close', () => {
          if (socket !== s) return;
          socket = null;
          client.onClosed();
        });
      },
      write(bytes) {
        socket?.write(bytes);
      },
      close() {
        const s = socket;
        socket = null;
        s?.end(); // the data already written still goes out, then FIN
      },
    },
    sched,
    observer,
  );
  return client;
}
