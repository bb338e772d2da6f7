// The real runtime of the client: the same ImClient the simulator drives, over a net.Socket.
// Events from a socket the client already gave up on are ignored.
import * as net from 'node:net';
import { ImClient, type ClientObserver, type ClientOptions } from '../protocol/client';
import type { Scheduler } from '../ports';
import { realScheduler } from './real-scheduler';

/** How long a closed connection's last bytes (a QUIT) may wait in Node's buffer before the socket is destroyed anyway. */
export const CLOSE_GRACE_MS = 1000;

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
        // The client has given up on this connection (heartbeat timeout, drop, stop): the socket is
        // destroyed, not ended and left half-open until a peer on a dead path answers (it never does, and
        // the fd stays until TCP gives up). What the kernel already holds still goes out before its FIN;
        // bytes still queued in Node (a stalled path) get a short grace to leave first.
        const s = socket;
        socket = null;
        if (!s) return;
        if (s.writableLength === 0) {
          s.destroy();
        } else {
          s.end();
          s.setTimeout(CLOSE_GRACE_MS, () => s.destroy());
        }
      },
    },
    sched,
    observer,
  );
  return client;
}
