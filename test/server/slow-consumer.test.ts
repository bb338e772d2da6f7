// Slow consumers on real sockets (scenario S7 for real): bob logs in over RESP3 and stops reading; alice
// sends him many messages. The server's output buffer for bob's connection applies its policy --
// drop-newest / drop-oldest keep what the server holds for him bounded and, with the versioned protocol,
// lose nothing once he reads again and syncs; disconnect cuts only his connection and alice is unaffected.
// Without a bound (the baseline) what the server holds for him grows with every push.
//
// Filling bob's pipe: Node cannot shrink a socket's receive buffer, so bob asks for large replies first
// (ECHO of 1 MB, never dropped) until the kernel's buffers are full and the server's socket holds more
// than its share unsent -- from then on every push for bob meets a full socket, whatever the kernel's
// buffer sizes. What the server holds is read from the server (backlogOf, STATS), never from wall time.
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputBufferOptions, SlowConsumerPolicy } from '../../src/connection/gateway';
import { Monitor } from '../../src/monitor';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import {
  ALL, LIMIT, N, Resp3, SOCKET_SHARE, fillBob, flood, resume, stats, syncAll,
} from '../helpers/slow-consumer';
import { until } from '../helpers/until';

let server: RunningServer | null = null;
const clients: Resp3[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function start(output: OutputBufferOptions | undefined) {
  server = await startServer({ protocol: 'versioned', port: 0, monitor: new Monitor(), output });
  return { s: server, ...(await fillBob(server, clients)) };
}

describe('slow consumer on real sockets (versioned protocol)', () => {
  it('unbounded (no policy): every push goes to the socket, and what the server holds for bob grows with the flood', async () => {
    const { s, bob, alice, bobConn, echoes } = await start(undefined);
    const { before, peakSocket } = await flood(s, alice, bobConn);
    expect(peakSocket - before.socket).toBeGreaterThanOrEqual(N * 24); // every msg-psh (24+ bytes) held in the socket
    expect(s.gateway.stats.slowDropped).toBe(0);
    expect(await resume(bob, echoes)).toEqual(ALL.map((_, i) => i + 1));
  });

  it.each(['drop-newest', 'drop-oldest'] as SlowConsumerPolicy[])(
    '%s: the server holds a bounded amount for bob; dropped notices lose nothing once he reads and syncs',
    async (policy) => {
      const { s, bob, alice, bobConn, echoes } = await start({ policy, limitBytes: LIMIT, socketBytes: SOCKET_SHARE });
      const { before, peakHeld, peakSocket } = await flood(s, alice, bobConn);
      expect(peakHeld).toBeGreaterThan(0);
      expect(peakHeld).toBeLessThanOrEqual(LIMIT);
      expect(peakSocket).toBeLessThanOrEqual(before.socket); // nothing more went into bob's full socket
      const dropped = s.gateway.stats.slowDropped;
      expect(dropped).toBeGreaterThan(N / 2);
      expect(await stats(alice)).toEqual({ slow_consumer_pushes_dropped_total: dropped, slow_consumer_disconnects_total: 0 });

      const announced = await resume(bob, echoes);
      expect(announced.length + dropped).toBe(N);
      const kept = policy === 'drop-newest'
        ? Array.from({ length: announced.length }, (_, i) => i + 1) // the first ones waited, later ones were dropped
        : Array.from({ length: announced.length }, (_, i) => N - announced.length + i + 1); // the last ones
      expect(announced).toEqual(kept);
      expect(s.backlogOf(bobConn)).toEqual({ socket: 0, held: 0 });
      expect(await syncAll(bob)).toEqual(ALL);
    },
  );

  it('disconnect: only bob\'s connection is cut, alice is served throughout; bob logs in again and syncs everything', async () => {
    const { s, bob, alice, bobConn, echoes } = await start({ policy: 'disconnect', limitBytes: LIMIT, socketBytes: SOCKET_SHARE });
    await flood(s, alice, bobConn);
    expect(s.gateway.stats.slowDisconnects).toBe(1);
    await until('bob\'s socket is gone from the server', () => s.backlogOf(bobConn).socket === 0 && s.gateway.connections === 1);
    expect(s.backlogOf(bobConn)).toEqual({ socket: 0, held: 0 }); // its unsent backlog was dropped with it
    expect(await alice.call('PING')).toBe('PONG');
    expect(await stats(alice)).toEqual({ slow_consumer_pushes_dropped_total: 0, slow_consumer_disconnects_total: 1 });

    bob.socket.resume();
    await until('bob sees his connection closed', () => bob.closed, 20_000);
    expect(bob.replies.length).toBeLessThan(2 + echoes); // HELLO, CLIENT ID, then not every echo: the cut discarded the rest
    const again = await Resp3.login(s.port, 'bob');
    clients.push(again);
    expect(await syncAll(again)).toEqual(ALL);
    expect(s.gateway.stats.slowDisconnects).toBe(1);
  });
});
