// The probe every long-running command makes first: nothing listening, a refused login, the other
// protocol and a server that never answers are each told at once, with what to do.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeToken } from '../../../src/protocol/token';
import { ProbeError, probeServer } from '../../../src/server/load/probe';
import { startServer, type RunningServer } from '../../../src/server/tcp-server';

let servers: RunningServer[] = [];
let others: net.Server[] = [];
let sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  for (const s of others) {
    s.close();
    (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
  for (const sock of sockets) sock.destroy();
  sockets = [];
  servers = [];
  others = [];
});

async function serve(protocol: 'queue' | 'versioned', secret?: string): Promise<RunningServer> {
  const s = await startServer({ protocol, port: 0, secret });
  servers.push(s);
  return s;
}

const login = (user: string) => ({ host: '127.0.0.1', user, token: makeToken(user) });

async function problem(p: Promise<unknown>): Promise<ProbeError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProbeError);
  return err as ProbeError;
}

describe('probeServer', () => {
  it('tells which protocol the server runs, logged in as any user', async () => {
    const v = await serve('versioned');
    const q = await serve('queue');
    expect(await probeServer({ ...login('probe'), port: v.port })).toEqual({ protocol: 'versioned' });
    expect(await probeServer({ ...login('probe'), port: q.port, protocol: 'queue' })).toEqual({ protocol: 'queue' });
  });

  it('the other protocol: refused with the flag to pass', async () => {
    const v = await serve('versioned');
    const q = await serve('queue');
    const a = await problem(probeServer({ ...login('bob'), port: v.port, protocol: 'queue' }));
    expect(a.problem).toBe('wrong-protocol');
    expect(a.message).toBe(`the server at 127.0.0.1:${v.port} runs the versioned protocol: pass --protocol versioned`);
    const b = await problem(probeServer({ ...login('bob'), port: q.port, protocol: 'versioned' }));
    expect(b.message).toMatch(/runs the queue protocol: pass --protocol queue$/);
  });

  it('nothing listening: says so and how to start one', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise((r) => free.close(r));
    const e = await problem(probeServer({ ...login('bob'), port }));
    expect(e.problem).toBe('nothing-listens');
    expect(e.message).toBe(`nothing listens on 127.0.0.1:${port} — start one with \`npx imsim serve --port ${port}\``);
  });

  it('a wrong token: WRONGPASS, with the hint given', async () => {
    const s = await serve('versioned', 'another-secret');
    const e = await problem(probeServer({ ...login('bob'), port: s.port, loginHint: 'try npx imsim token bob' }));
    expect(e.problem).toBe('login-refused');
    expect(e.message).toBe(`127.0.0.1:${s.port} refused the login of bob (WRONGPASS): try npx imsim token bob`);
  });

  it('a server that accepts and never answers, and one that is not imsim: told, not waited for', async () => {
    const mute = net.createServer((sock) => {
      sockets.push(sock);
      sock.on('error', () => {});
    });
    const other = net.createServer((sock) => {
      sockets.push(sock);
      sock.on('data', () => sock.write('-ERR unknown command\r\n'));
      sock.on('error', () => {});
    });
    others.push(mute, other);
    for (const s of others) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s: net.Server) => (s.address() as net.AddressInfo).port;
    const a = await problem(probeServer({ ...login('bob'), port: port(mute), timeoutMs: 300 }));
    expect(a.problem).toBe('silent');
    expect(a.message).toMatch(/accepted the connection but did not answer within 0 s/);
    const b = await problem(probeServer({ ...login('bob'), port: port(other) }));
    expect(b.problem).toBe('not-imsim');
    expect(b.message).toMatch(/refused the login of bob: ERR unknown command/);
  });
});
