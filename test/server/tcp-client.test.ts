// The real client's socket when it gives up on a connection: destroyed at once (its fd released), not
// ended and left waiting for a FIN that a peer on a dead path never sends.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientState } from '../../src/protocol/client';
import { makeToken } from '../../src/protocol/token';
import { tcpClient } from '../../src/server/tcp-client';
import { startServer, type RunningServer } from '../../src/server/tcp-server';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ protocol: 'versioned', port: 0 });
});
afterAll(async () => {
  await server.close();
});

/** A relay to the server that can go dead: it then forwards nothing and never closes its client's side. */
async function deadablePath(): Promise<{ port: number; sent: Buffer[]; die(): void; close(): Promise<void> }> {
  let dead = false;
  const sent: Buffer[] = [];
  const socks: net.Socket[] = [];
  const relay = net.createServer({ allowHalfOpen: true }, (down) => {
    const up = net.connect(server.port, server.host);
    socks.push(down, up);
    down.on('data', (c) => dead || (sent.push(c), up.write(c)));
    up.on('data', (c) => dead || down.write(c));
    down.on('error', () => {});
    up.on('error', () => {});
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  return {
    port: (relay.address() as net.AddressInfo).port,
    sent,
    die: () => void (dead = true),
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      relay.close(() => r());
    }),
  };
}

describe('tcpClient gives up on a connection', () => {
  it('a heartbeat timeout on a dead path destroys the socket (no half-open fd left waiting for TCP to give up)', async () => {
    const path = await deadablePath();
    const sockets: net.Socket[] = [];
    const states: Array<{ s: ClientState; why: string; destroyed: boolean }> = [];
    let online!: () => void;
    let gaveUp!: () => void;
    const isOnline = new Promise<void>((r) => (online = r));
    const isGone = new Promise<void>((r) => (gaveUp = r));
    const c = tcpClient(
      { user: 'alice', token: makeToken('alice'), protocol: 'versioned', reconnect: 'never', heartbeat: { kind: 'fixed', intervalUs: 30_000, timeoutUs: 30_000 } },
      { host: '127.0.0.1', port: path.port, onSocket: (s) => sockets.push(s) },
      {
        state: (s, why) => {
          states.push({ s, why, destroyed: sockets.at(-1)?.destroyed ?? false });
          if (s === 'online') online();
          if (why === 'heartbeat timeout') gaveUp();
        },
      },
    );
    c.start();
    await isOnline;
    path.die();
    await isGone;
    expect(states.at(-1)).toEqual({ s: 'offline', why: 'heartbeat timeout', destroyed: true });
    expect(sockets).toHaveLength(1);
    await new Promise<void>((r) => (sockets[0].closed ? r() : sockets[0].once('close', () => r())));
    c.stop();
    await path.close();
  });

  it('stop() still says QUIT before the socket goes', async () => {
    const path = await deadablePath();
    const sockets: net.Socket[] = [];
    let online!: () => void;
    const isOnline = new Promise<void>((r) => (online = r));
    const c = tcpClient(
      { user: 'bob', token: makeToken('bob'), protocol: 'versioned', reconnect: 'never' },
      { host: '127.0.0.1', port: path.port, onSocket: (s) => sockets.push(s) },
      { state: (s) => s === 'online' && online() },
    );
    c.start();
    await isOnline;
    c.stop();
    expect(sockets[0].destroyed).toBe(true);
    while (!Buffer.concat(path.sent).toString().toLowerCase().includes('quit')) await new Promise((r) => setTimeout(r, 5));
    await path.close();
  });
});
