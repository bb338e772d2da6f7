// A TCP proxy that can lose replies: it forwards both ways until told to cut, then lets through only
// `bytes` more of what the server answers and kills the connection. The commands behind the lost
// replies did run on the server: the client cannot tell, so it must be able to retry them safely.
import * as net from 'node:net';

export interface CutProxy {
  readonly port: number;
  /** Forward `bytes` more reply bytes on the current connection, then kill it (both sides). */
  cutAfter(bytes: number): void;
  /** Connections that were cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let budget = -1; // reply bytes still to forward before the cut; -1 = no cut planned
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const kill = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (budget < 0) return void client.write(d);
      const pass = d.subarray(0, budget);
      budget -= pass.length;
      if (pass.length > 0) client.write(pass);
      if (budget === 0 && pass.length < d.length) {
        budget = -1;
        cuts++;
        kill();
      }
    });
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', kill);
    upstream.on('close', kill);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cutAfter(bytes) {
      budget = bytes;
    },
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) (a.destroy(), b.destroy());
        server.close(() => resolve());
      }),
  };
}
