// The connection guards of the real runtime, on real sockets: reply limits (a client that sends and
// never reads is not read further once its unread replies reach the pause point, and is cut beyond the
// close point), the login deadline, the idle timeout (the connection layer's IdleReaper on real time)
// and maxConnections. Bounds are read from the server (backlogOf, gateway stats), never from wall time;
// the short deadlines below are only waited for, never measured.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY_LIMITS } from '../../src/connection/reply-limits';
import { makeToken } from '../../src/protocol/token';
import { MAX_CLIENTS_ERROR } from '../../src/server/gateway-sockets';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/tcp-server';
import { Resp3 } from '../helpers/slow-consumer';
import { until } from '../helpers/until';

let server: RunningServer | null = null;
const sockets: net.Socket[] = [];
const clients: Resp3[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function start(opts: Partial<ServeOptions> = {}): Promise<RunningServer> {
  server = await startServer({ protocol: 'versioned', port: 0, ...opts });
  return server;
}

/** A raw connection that counts what it receives, and whether the server closed it. */
async function raw(port: number): Promise<{ s: net.Socket; got: () => Buffer; closed: () => boolean }> {
  const s = net.connect(port, '127.0.0.1');
  sockets.push(s);
  const chunks: Buffer[] = [];
  let closed = false;
  s.on('data', (c) => chunks.push(c));
  s.on('error', () => {});
  s.on('close', () => (closed = true));
  await new Promise((r) => s.once('connect', r));
  return { s, got: () => Buffer.concat(chunks), closed: () => closed };
}

async function login(port: number, user: string): Promise<Resp3> {
  const c = await Resp3.login(port, user);
  clients.push(c);
  return c;
}

describe('reply limits', () => {
  it('a pre-login client pipelining COMMAND DOCS without reading is not read past the pause point; a normal client beside it is served; reading again, it gets every reply', async () => {
    const s = await start();
    const probe = await raw(s.port);
    probe.s.write('COMMAND DOCS\r\n');
    await until('one COMMAND DOCS reply', () => s.backlogOf(1).socket === 0 && probe.got().length > 1000);
    const replyBytes = probe.got().length;
    probe.s.destroy();

    const K = 5000; // replies worth K * ~4 KB = ~20 MB: more than the kernel's loopback buffers hold
    const bad = await raw(s.port);
    bad.s.pause(); // never reads
    bad.s.write('COMMAND DOCS\r\n'.repeat(K));
    await until('the server stops reading it', () => s.guarded.readPauses >= 1);
    const conn = 2;
    const cap = DEFAULT_REPLY_LIMITS.login;
    expect(s.backlogOf(conn).socket).toBeGreaterThanOrEqual(cap.pauseBytes);
    expect(s.backlogOf(conn).socket).toBeLessThanOrEqual(cap.closeBytes);
    expect(s.gateway.stats.cmd - 1).toBeLessThan(K); // not all read (the probe sent one): what it got was answered into the kernel's buffers

    const alice = await login(s.port, 'alice');
    expect(await alice.call('PING')).toBe('PONG');
    expect(s.backlogOf(conn).socket).toBeLessThanOrEqual(cap.closeBytes); // still bounded after alice's turn
    expect(bad.closed()).toBe(false); // paused, not cut: it asked for replies, it just reads them slowly

    bad.s.resume();
    await until('every reply arrives once it reads', () => bad.got().length >= K * replyBytes, 20_000);
    expect(bad.got().length).toBe(K * replyBytes);
    expect(s.gateway.stats.replyLimitCloses).toBe(0);
  });

  it('a logged-in client whose unread replies pass the close point is cut; only its connection closes', async () => {
    const s = await start({ replyLimits: { session: { pauseBytes: 32 * 1024, closeBytes: 64 * 1024 } } });
    const bob = await login(s.port, 'bob');
    const alice = await login(s.port, 'alice');
    bob.socket.pause();
    bob.send('ECHO', 'x'.repeat(900 * 1024)); // one reply of 900 KB: far past the close point at once
    await until('bob is cut', () => s.gateway.stats.replyLimitCloses === 1);
    await until('bob\'s socket is gone from the server', () => s.gateway.connections === 1);
    expect(await alice.call('PING')).toBe('PONG');
    bob.socket.resume();
    await until('bob sees the close', () => bob.closed);
  });

  it('refuses limits that cannot work', async () => {
    await expect(start({ replyLimits: { login: { pauseBytes: 0 } } })).rejects.toThrow(/whole number of bytes above 0, got 0/);
    await expect(start({ replyLimits: { session: { closeBytes: 1.5 } } })).rejects.toThrow(/whole number of bytes above 0, got 1.5/);
    await expect(start({ replyLimits: { login: { closeBytes: 1024 } } })).rejects.toThrow(/below its pause point/);
  });
});

describe('login deadline', () => {
  it('closes a connection that has not logged in in time, saying so; one that logged in stays', async () => {
    const s = await start({ loginTimeoutMs: 150 });
    const alice = await login(s.port, 'alice');
    const lurker = await raw(s.port);
    lurker.s.write('PING\r\n');
    await until('the lurker is closed', () => lurker.closed());
    expect(lurker.got().toString()).toMatch(/^\+PONG\r\n-ERR no login within 0.15 s: log in first/);
    expect(s.guarded.loginTimeouts).toBe(1);
    expect(await alice.call('PING')).toBe('PONG'); // its deadline passed too: logged in, it stays
    expect(alice.closed).toBe(false);
  });
});

describe('idle timeout', () => {
  it('closes a logged-in connection that stops sending, and its session goes with it', async () => {
    const s = await start({ idleMs: 150 });
    const bob = await login(s.port, 'bob');
    expect([...s.logic.sessions.of('bob')]).toHaveLength(1);
    await until('bob is reaped', () => bob.closed);
    expect(s.guarded.idle).toBe(1);
    await until('bob\'s session is gone', () => [...s.logic.sessions.of('bob')].length === 0);
    expect(s.gateway.connections).toBe(0);
  });

  it('is off unless asked for', async () => {
    const s = await start({ loginTimeoutMs: 0 });
    const c = await raw(s.port);
    // nothing to wait for but the absence of a timer: the server runs none for this connection
    expect(c.closed()).toBe(false);
    expect(s.guarded.idle).toBe(0);
  });
});

describe('maxConnections', () => {
  it('tells one connection over the limit so and closes it; the others are served', async () => {
    const s = await start({ maxConnections: 2 });
    const a = await login(s.port, 'alice');
    const b = await login(s.port, 'bob');
    const third = await raw(s.port);
    await until('the third is closed', () => third.closed());
    expect(third.got().toString()).toBe(MAX_CLIENTS_ERROR);
    expect(s.guarded.refused).toBe(1);
    expect(await a.call('PING')).toBe('PONG');
    expect(await b.call('PING')).toBe('PONG');
    b.close();
    await until('bob\'s place is free', () => s.gateway.connections === 1);
    const c = await login(s.port, 'carol');
    expect(await c.call('PING')).toBe('PONG');
  });
});
