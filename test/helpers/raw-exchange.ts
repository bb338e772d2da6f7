// A raw TCP exchange: send bytes on a new connection, collect what comes back until the server
// closes it (or `waitMs` passes with it still open). For comparing imsim's bytes with redis-server's.
import * as net from 'node:net';

export interface Exchange {
  /** Everything received, as latin1 (byte for byte). */
  text: string;
  closed: boolean;
}

export function exchange(port: number, bytes: string | Buffer, waitMs = 2_000): Promise<Exchange> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => {}); // a reset after the server closed: 'close' follows
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    s.write(bytes);
  });
}
