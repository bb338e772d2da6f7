// The gateway's two mechanisms for a logic layer that restarts and a client that cannot keep up:
// retryUnanswered() forwards again what a lost queue swallowed; the bounded output buffer applies
// drop-newest / drop-oldest / disconnect to pushes once the socket is full.
import { describe, expect, it } from 'vitest';
import { Gateway, type OutputBufferOptions } from '../../src/connection/gateway';
import type { Up } from '../../src/connection/layer-messages';
import { Push, type Reply } from '../../src/wire';
import { recordingTransport } from '../helpers/gateway-transport';

function setup(output?: OutputBufferOptions) {
  const rec = recordingTransport();
  let backlog = 0; // what the "socket" has not sent yet: every write adds to it until drain()
  const transport = {
    ...rec.transport,
    write: (c: number, b: Buffer) => {
      backlog += b.length;
      rec.transport.write(c, b);
    },
    buffered: () => backlog,
  };
  const up: Up[] = [];
  const gw = new Gateway(transport, (m) => void up.push(m), { output });
  gw.opened(1);
  gw.data(1, Buffer.from('HELLO 3 AUTH alice t\r\n'));
  const login = up.pop() as Extract<Up, { k: 'login' }>;
  gw.downstream({ k: 'login', conn: 1, req: login.req, user: 'alice', ok: true });
  rec.replies(1);
  backlog = 0;
  const push = (v: number) => gw.downstream({ k: 'push', conn: 1, items: ['msg-psh', String(v)] });
  const pushed = (): number[] => rec.replies(1).filter((r: Reply) => r instanceof Push).map((r) => Number((r as Push).items[1]));
  return { gw, up, closed: rec.closed, push, pushed, drain: () => { backlog = 0; gw.drained(1); }, get backlog() { return backlog; } };
}

// one msg-psh push of a one-digit version is 24 bytes: >2\r\n $7\r\n msg-psh\r\n $1\r\n 1\r\n
const PUSH_BYTES = 24;

describe('Gateway: retryUnanswered', () => {
  it('forwards again, in order, exactly the requests not answered; answered ones are forgotten', () => {
    const t = setup();
    t.gw.data(1, Buffer.from('send bob c1 a\r\nsend bob c2 b\r\nmsg-sync 0\r\n'));
    const first = t.up.splice(0);
    expect(first.map((m) => (m as Extract<Up, { k: 'cmd' }>).args[0])).toEqual(['send', 'send', 'msg-sync']);
    const req = (m: Up) => (m as Extract<Up, { k: 'cmd' }>).req;
    t.gw.downstream({ k: 'reply', conn: 1, req: req(first[0]), reply: 'OK' });
    expect(t.gw.unanswered).toBe(2);
    expect(t.gw.retryUnanswered()).toBe(2);
    expect(t.up).toEqual([first[1], first[2]]);
    expect(t.gw.stats.retried).toBe(2);
  });

  it('a retried login is answered once; a reply arriving twice is written once', () => {
    const rec = recordingTransport();
    const up: Up[] = [];
    const gw = new Gateway(rec.transport, (m) => void up.push(m));
    gw.opened(7);
    gw.data(7, Buffer.from('AUTH bob t\r\nPING\r\n'));
    expect(gw.retryUnanswered()).toBe(1);
    expect(up).toHaveLength(2);
    expect(up[0]).toEqual(up[1]);
    const login = up[0] as Extract<Up, { k: 'login' }>;
    gw.downstream({ k: 'login', conn: 7, req: login.req, user: 'bob', ok: true });
    gw.downstream({ k: 'login', conn: 7, req: login.req, user: 'bob', ok: true });
    expect(rec.replies(7)).toEqual(['OK', 'PONG']);
    expect(gw.unanswered).toBe(0);
  });
});

describe('Gateway: bounded output buffer for pushes', () => {
  it('writes pushes straight through while the socket has room', () => {
    const t = setup({ limitBytes: 100, policy: 'drop-newest', socketBytes: 10 * PUSH_BYTES });
    for (let v = 1; v <= 5; v++) t.push(v);
    expect(t.pushed()).toEqual([1, 2, 3, 4, 5]);
    expect(t.gw.stats.slowDropped).toBe(0);
  });

  it('drop-newest keeps the oldest waiting pushes and drops what does not fit', () => {
    const t = setup({ limitBytes: 2 * PUSH_BYTES, policy: 'drop-newest', socketBytes: PUSH_BYTES });
    for (let v = 1; v <= 6; v++) t.push(v);
    expect(t.pushed()).toEqual([1]); // the socket's share
    expect(t.gw.heldBytes(1)).toBe(2 * PUSH_BYTES);
    expect(t.gw.stats.slowDropped).toBe(3); // 4, 5, 6
    t.drain();
    expect(t.pushed()).toEqual([2]);
    t.drain();
    expect(t.pushed()).toEqual([3]);
    t.drain();
    expect(t.pushed()).toEqual([]);
  });

  it('drop-oldest keeps the newest pushes', () => {
    const t = setup({ limitBytes: 2 * PUSH_BYTES, policy: 'drop-oldest', socketBytes: PUSH_BYTES });
    for (let v = 1; v <= 6; v++) t.push(v);
    expect(t.pushed()).toEqual([1]);
    expect(t.gw.stats.slowDropped).toBe(3); // 2, 3, 4
    t.drain();
    t.drain();
    expect(t.pushed()).toEqual([5, 6]);
  });

  it('disconnect closes the connection when the buffer would overflow, and tells the logic layer', () => {
    const t = setup({ limitBytes: 2 * PUSH_BYTES, policy: 'disconnect', socketBytes: PUSH_BYTES });
    for (let v = 1; v <= 3; v++) t.push(v);
    expect(t.closed.has(1)).toBe(false);
    t.push(4);
    expect(t.closed.has(1)).toBe(true);
    expect(t.gw.stats.slowDisconnects).toBe(1);
    expect(t.gw.connections).toBe(0);
    expect(t.up.at(-1)).toEqual({ k: 'closed', gw: 0, conn: 1, user: 'alice' });
  });

  it('a socket with room takes a whole push, even one larger than its share', () => {
    const t = setup({ limitBytes: 0, policy: 'drop-newest', socketBytes: 1 });
    t.gw.downstream({ k: 'push', conn: 1, items: ['msg-send', 'x'.repeat(1000)] });
    expect(t.backlog).toBeGreaterThan(1000);
    t.push(2); // the socket is over its share now: held, and the buffer holds nothing
    expect(t.gw.stats.slowDropped).toBe(1);
  });

  it('replies are never held or dropped', () => {
    const t = setup({ limitBytes: 0, policy: 'drop-newest', socketBytes: 0 });
    t.gw.data(1, Buffer.from('PING\r\nPING\r\n'));
    t.push(1);
    expect(t.gw.stats.slowDropped).toBe(1);
    expect(t.backlog).toBeGreaterThan(0); // the two PONGs went out
  });

  it('refuses an output buffer without a way to see the socket backlog', () => {
    const rec = recordingTransport();
    expect(() => new Gateway(rec.transport, () => {}, { output: { limitBytes: 1, policy: 'disconnect' } })).toThrow(/buffered/);
    expect(() => new Gateway({ ...rec.transport, buffered: () => 0 }, () => {}, { output: { limitBytes: 1, policy: 'nope' as 'disconnect' } }))
      .toThrow(/drop-newest/);
  });
});
