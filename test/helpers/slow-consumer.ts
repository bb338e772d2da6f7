// Slow consumers on real sockets, shared by the single-process test (slow-consumer.test.ts) and the
// split deployment's (slow-consumer-split.test.ts): a raw RESP3 client, bob's pipe filled, alice's flood,
// bob reading again and syncing. See slow-consumer.test.ts for the story.
import * as net from 'node:net';
import { expect } from 'vitest';
import type { Gateway } from '../../src/connection/gateway';
import { makeToken } from '../../src/protocol/token';
import type { ConnectionBacklog } from '../../src/server/gateway-sockets';
import { NEED_MORE, Push, ReplyDecoder, ReplyError, encodeCommand, type Reply } from '../../src/wire';
import { until } from './until';

/** What the tests read from a server: the single process, or a connection process of the split deployment. */
export interface SlowTarget {
  readonly port: number;
  readonly gateway: Gateway;
  backlogOf(conn: number): ConnectionBacklog;
}

/** A raw RESP3 client: replies in order, pushes apart, and whether the server closed it. */
export class Resp3 {
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

export const N = 300; // messages alice sends bob
export const LIMIT = 512; // bytes of pushes the server may hold for him: about 20 msg-psh notices
export const SOCKET_SHARE = 1024;
export const ECHO_BYTES = 1_000_000;
export const MAX_ECHOES = 64; // bounded: the kernel's buffers on loopback are a few MB
export const FILLED = 64 * 1024; // bob's socket holds this much unsent before alice starts (far above its share)

/** bob and alice log in to `s`; bob stops reading and fills his pipe (big replies) until the server holds FILLED for him. */
export async function fillBob(s: SlowTarget, clients: Resp3[]) {
  const bob = await Resp3.login(s.port, 'bob');
  const alice = await Resp3.login(s.port, 'alice');
  clients.push(bob, alice);
  const bobConn = (await bob.call('CLIENT', 'ID')) as number;
  // bob stops reading, and asks for big replies until the server holds more than the socket's share for him
  bob.socket.pause();
  const filler = 'e'.repeat(ECHO_BYTES);
  let echoes = 0;
  while (s.backlogOf(bobConn).socket <= FILLED && echoes < MAX_ECHOES) {
    const had = s.gateway.stats.cmd;
    bob.send('ECHO', filler);
    echoes++;
    await until('the server read the ECHO', () => s.gateway.stats.cmd > had);
    await new Promise((r) => setImmediate(r)); // the batched write goes out (writev) before we look again
  }
  expect(s.backlogOf(bobConn).socket).toBeGreaterThan(FILLED);
  return { bob, alice, bobConn, echoes };
}

/**
 * alice sends bob N messages (pipelined); the most the server held for bob, read after each of her replies
 * and then until `pushesIn()` says every push for bob reached the gateway (in one process they do before
 * alice's reply; in the split deployment they come back through Redis on their own).
 */
export async function flood(s: SlowTarget, alice: Resp3, bobConn: number, pushesIn: () => boolean = () => true) {
  const before = s.backlogOf(bobConn);
  let peakHeld = 0, peakSocket = 0;
  const sample = () => {
    const b = s.backlogOf(bobConn);
    peakHeld = Math.max(peakHeld, b.held);
    peakSocket = Math.max(peakSocket, b.socket);
  };
  alice.onReply = sample;
  for (let i = 1; i <= N; i++) alice.send('send', 'bob', `c-${i}`, `hello bob #${i}`);
  const replies = await alice.drain(N);
  alice.onReply = null;
  expect(replies.every((r) => r === 'OK')).toBe(true);
  await until('every push for bob reached the gateway', () => {
    sample();
    return pushesIn();
  });
  return { before, peakHeld, peakSocket };
}

/** bob reads again: all his ECHO replies, then what was pushed; returns the versions announced to him. */
export async function resume(bob: Resp3, echoes: number): Promise<number[]> {
  bob.socket.resume();
  const echoed = await bob.drain(echoes);
  expect(echoed.every((r) => typeof r === 'string' && r.length === ECHO_BYTES)).toBe(true);
  await bob.call('PING'); // the pushes the server held went out behind the echoes (on 'drain') before this PONG
  return bob.pushes.map((p) => Number(p.items[1]));
}

/** bob syncs from version 0, page by page: every message exactly once, in order. */
export async function syncAll(bob: Resp3): Promise<string[]> {
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

export const ALL = Array.from({ length: N }, (_, i) => `hello bob #${i + 1}`);

export async function stats(c: Resp3): Promise<Record<string, number>> {
  const text = (await c.call('STATS', 'slow-consumers')) as string;
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.split(':')[0], Number(l.split(':')[1])]));
}
