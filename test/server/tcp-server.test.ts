// The real server over TCP: bad input is answered exactly as Redis answers it and closes only
// that connection; other connections keep being served.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { exchange as rawExchange } from '../helpers/raw-exchange';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ protocol: 'versioned', port: 0 });
});
afterAll(async () => {
  await server.close();
});

/** Sends bytes on a new connection; what came back, and whether the server closed it (within `waitMs`). */
const exchange = (bytes: string, waitMs = 300) => rawExchange(server.port, bytes, waitMs);

describe('imsim serve over TCP', () => {
  const cases: [string, string][] = [
    ['*1\r\nx\r\n', "-ERR Protocol error: expected '$', got 'x'\r\n"],
    ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
    ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ['PING "unbalanced\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
    ['*11\r\n', '-ERR Protocol error: unauthenticated multibulk length\r\n'],
    ['*1\r\n$20000\r\n', '-ERR Protocol error: unauthenticated bulk length\r\n'],
  ];
  it.each(cases)('answers %j as Redis does and closes that connection', async (bad, reply) => {
    const bystander = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => bystander.once('connect', r));
    const r = await exchange(`PING\r\n${bad}`);
    expect(r).toEqual({ text: `+PONG\r\n${reply}`, closed: true });
    // the other connection is still served
    const pong = new Promise<string>((res) => bystander.once('data', (d) => res(d.toString())));
    bystander.write('PING\r\n');
    expect(await pong).toBe('+PONG\r\n');
    bystander.destroy();
  });

  it('does not close on a command error', async () => {
    const r = await exchange('send bob c1 hi\r\nPING\r\n');
    expect(r).toEqual({ text: '-NOAUTH Authentication required.\r\n+PONG\r\n', closed: false });
  });

  it('QUIT answers +OK and closes', async () => {
    expect(await exchange('QUIT\r\nPING\r\n')).toEqual({ text: '+OK\r\n', closed: true });
  });
});
