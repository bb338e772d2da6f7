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
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputBufferOptions, SlowConsumerPolicy } from '../../src/connection/gateway';
import { Monitor } from '../../src/monitor';
import { makeToken } from '../../src/protocol/token';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { NEED_MORE, Push, ReplyDecoder, ReplyError, encodeCommand, type Reply } from '../../src/wire';
import { until } from '../helpers/until';

/** A raw RESP3 client: replies in order, pushes apart, and whether the server closed it. */
class Resp3 {
  readonly replies: Reply[] = [];
  readonly pushes: Push[] = [];
  closed = false;
  private taken = 0;
  private readonly decoder = new ReplyDecoder();
  onReply: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.decoder.push(chunk);
      for (let r = this.decoder.next(); r !== NEED_MORE; r = this.decoder.next()) {
        if (r instanceof Push) this.pushes.push(r);
        else {
          this.replies.push(r);
          this.onReply?.();
        }
      }
    });
    socket.on('error', () => {}); // a reset after the server cut us: 'close' follows
    socket.on('close', () => (this.closed = true));
  }

  static async login(port: number, user: string): Promise<Resp3> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const c = new Resp3(s);
    const hello = await c.call('HELLO', '3', 'AUTH', user, makeToken(user));
    if (hello instanceof ReplyError) throw hello;
    return c;
  }

  send(...args: string[]): void {
    this.socket.write(encodeCommand(args));
  }

  /** The next reply not taken yet. */
  async next(): Promise<Reply> {
    await until('a reply', () => this.replies.length > this.taken || this.closed, 20_000);
    if (this.replies.length <= this.taken) throw new Error('connection closed before the reply');
    return this.replies[this.taken++];
  }

  async call(...args: string[]): Promise<Reply> {
    this.send(...args);
    return this.next();
  }

  /** Replies not taken yet (pipelined requests). */
  async drain(n: number): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

const N = 300; // messages alice sends bob
const LIMIT = 512; // bytes of pushes the server may hold for him: about 20 msg-psh notices
const SOCKET_SHARE = 1024;
const ECHO_BYTES = 1_000_000;
const MAX_ECHOES = 64; // bounded: the kernel's buffers on loopback are a few MB
const FILLED = 64 * 1024; // bob's socket holds this much unsent before alice starts (far above its share)

let server: RunningServer | null = null;
const clients: Resp3[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = null;
});

async function start(output: OutputBufferOptions | undefined) {
  server = await startServer({ protocol: 'versioned', port: 0, monitor: new Monitor(), pageSize: 100, output });
  const s = server;
  const bob = await Resp3.login(s.port, 'bob');
  const alice = await Resp3.login(s.port, 'alice');
  clients.push(bob, alice);
  const bobConn = (await bob.call('CLIENT', 'ID')) as number;
  // bob stops reading, and asks for big replies until the server holds more than the socket's share for him
  bob.socket.pause();
  const filler = 'e'.repeat(ECHO_BYTES);
  let echoes = 0;
  while (s.backlogOf(bobConn).socket <= FILLED && echoes < MAX_ECHOES) {
    bob.send('ECHO', filler);
    echoes++;
    const had = s.gateway.stats.cmd;
    await until('the server read the ECHO', () => s.gateway.stats.cmd > had);
    await new Promise((r) => setImmediate(r)); // the batched write goes out (writev) before we look again
  }
  expect(s.backlogOf(bobConn).socket).toBeGreaterThan(FILLED);
  return { s, bob, alice, bobConn, echoes };
}

/** alice sends bob N messages (pipelined); the most the server held for bob, read after each of her replies. */
async function flood(s: RunningServer, alice: Resp3, bobConn: number) {
  const before = s.backlogOf(bobConn);
  let peakHeld = 0, peakSocket = 0;
  alice.onReply = () => {
    const b = s.backlogOf(bobConn);
    peakHeld = Math.max(peakHeld, b.held);
    peakSocket = Math.max(peakSocket, b.socket);
  };
  for (let i = 1; i <= N; i++) alice.send('send', 'bob', `c-${i}`, `hello bob #${i}`);
  const replies = await alice.drain(N);
  alice.onReply = null;
  expect(replies.every((r) => r === 'OK')).toBe(true);
  return { before, peakHeld, peakSocket };
}

/** bob reads again: all his ECHO replies, then what was pushed; returns the versions announced to him. */
async function resume(bob: Resp3, echoes: number): Promise<number[]> {
  bob.socket.resume();
  const echoed = await bob.drain(echoes);
  expect(echoed.every((r) => typeof r === 'string' && r.length === ECHO_BYTES)).toBe(true);
  await bob.call('PING'); // the pushes the server held went out behind the echoes (on 'drain') before this PONG
  return bob.pushes.map((p) => Number(p.items[1]));
}

/** bob syncs from version 0, page by page: every message exactly once, in order. */
async function syncAll(bob: Resp3): Promise<string[]> {
  const bodies: string[] = [];
  let cursor = 0;
  for (let page = 0; page < 20; page++) {
    const entries = (await bob.call('msg-sync', String(cursor))) as string[][];
    if (entries.length === 0) break;
    for (const e of entries) {
      expect(Number(e[2])).toBe(cursor + 1);
      cursor = Number(e[2]);
      bodies.push(e[5]);
    }
    expect(await bob.call('msg-fin', 'v', String(cursor))).toBe('OK');
  }
  return bodies;
}

const ALL = Array.from({ length: N }, (_, i) => `hello bob #${i + 1}`);

async function stats(c: Resp3): Promise<Record<string, number>> {
  const text = (await c.call('STATS', 'slow-consumers')) as string;
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.split(':')[0], Number(l.split(':')[1])]));
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
