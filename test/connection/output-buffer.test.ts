// OutputBuffer on its own, through a fake port: the socket's share, the limit, the three policies,
// drained() in order, per-connection state, and a property: bytes are never reordered or invented.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SOCKET_BYTES, OutputBuffer, SLOW_CONSUMER_POLICIES, type OutputBufferOptions, type SlowConsumerPolicy,
} from '../../src/connection/output-buffer';

/** A port whose socket keeps everything written until `send(conn)` says it went out. */
function fakePort() {
  const backlog = new Map<number, number>();
  const written: { conn: number; bytes: Buffer }[] = [];
  const events: string[] = [];
  let buf: OutputBuffer | null = null;
  const port = {
    backlog: (conn: number) => backlog.get(conn) ?? 0,
    write: (conn: number, bytes: Uint8Array) => {
      backlog.set(conn, (backlog.get(conn) ?? 0) + bytes.length);
      written.push({ conn, bytes: Buffer.from(bytes) });
    },
    slow: (conn: number, what: 'dropped' | 'disconnect') => {
      events.push(`${what} ${conn}`);
      if (what === 'disconnect') buf!.closed(conn);
    },
  };
  return {
    port, written, events,
    attach: (b: OutputBuffer) => (buf = b),
    /** The socket sent all it had for `conn`. */
    send: (conn: number) => backlog.set(conn, 0),
    texts: (conn?: number) => written.filter((w) => conn === undefined || w.conn === conn).map((w) => w.bytes.toString()),
  };
}

function setup(opts: OutputBufferOptions) {
  const f = fakePort();
  const buf = f.attach(new OutputBuffer(opts, f.port));
  const push = (conn: number, text: string) => buf.push(conn, Buffer.from(text));
  return { ...f, buf, push };
}

describe('OutputBuffer', () => {
  it('writes straight through while the socket holds less than its share (a socket with room takes a whole push)', () => {
    const t = setup({ limitBytes: 100, policy: 'drop-newest', socketBytes: 10 });
    t.push(1, 'aaaa');
    t.push(1, 'bbbbbbbbbbbb'); // 4 < 10: written though it takes the socket over its share
    t.push(1, 'cc'); // 16 >= 10: held
    expect(t.texts()).toEqual(['aaaa', 'bbbbbbbbbbbb']);
    expect(t.buf.heldBytes(1)).toBe(2);
    expect(t.buf.holding(1)).toBe(true);
  });

  it('once something waits, later pushes wait behind it even if the socket has room (order is kept)', () => {
    const t = setup({ limitBytes: 100, policy: 'drop-newest', socketBytes: 4 });
    t.push(1, 'aaaa');
    t.push(1, 'bb');
    t.send(1);
    t.push(1, 'cc');
    expect(t.texts()).toEqual(['aaaa']);
    expect(t.buf.drained(1)).toBe(2);
    expect(t.texts()).toEqual(['aaaa', 'bb', 'cc']);
    expect(t.buf.holding(1)).toBe(false);
    expect(t.buf.heldBytes(1)).toBe(0);
  });

  it('drained() writes only while the socket is under its share, and nothing for a connection with nothing held', () => {
    const t = setup({ limitBytes: 100, policy: 'drop-newest', socketBytes: 4 });
    for (const s of ['aaaa', 'b1', 'b2', 'b3']) t.push(1, s);
    expect(t.buf.drained(2)).toBe(0);
    expect(t.buf.drained(1)).toBe(0); // the socket still holds 4
    t.send(1);
    expect(t.buf.drained(1)).toBe(2); // 0 + 2 < 4, 2 + 2 = 4: stop
    expect(t.texts()).toEqual(['aaaa', 'b1', 'b2']);
    expect(t.buf.heldBytes(1)).toBe(2);
  });

  it('drop-newest refuses the push that does not fit', () => {
    const t = setup({ limitBytes: 4, policy: 'drop-newest', socketBytes: 1 });
    t.push(1, 'x');
    for (const s of ['aa', 'bb', 'cc']) t.push(1, s);
    expect(t.events).toEqual(['dropped 1']);
    t.send(1);
    while (t.buf.drained(1) > 0) t.send(1);
    expect(t.texts()).toEqual(['x', 'aa', 'bb']);
  });

  it('drop-oldest drops waiting pushes to make room; a push larger than the whole limit is dropped itself', () => {
    const t = setup({ limitBytes: 4, policy: 'drop-oldest', socketBytes: 1 });
    t.push(1, 'x');
    for (const s of ['aa', 'bb', 'cc']) t.push(1, s);
    expect(t.events).toEqual(['dropped 1']);
    expect(t.buf.heldBytes(1)).toBe(4);
    t.push(1, 'toolong');
    expect(t.events).toEqual(['dropped 1', 'dropped 1', 'dropped 1', 'dropped 1']); // bb, cc, then itself
    expect(t.buf.heldBytes(1)).toBe(0);
    // as before the split: the emptied buffer stays, and the next push waits behind it for drained()
    t.send(1);
    t.push(1, 'dd');
    expect(t.texts()).toEqual(['x']);
    expect(t.buf.drained(1)).toBe(1);
    expect(t.texts()).toEqual(['x', 'dd']);
  });

  it('disconnect asks the port to close the connection; its closed() discards what waited', () => {
    const t = setup({ limitBytes: 4, policy: 'disconnect', socketBytes: 1 });
    t.push(1, 'x');
    t.push(1, 'aaaa');
    expect(t.buf.heldBytes(1)).toBe(4);
    t.push(1, 'b');
    expect(t.events).toEqual(['disconnect 1']);
    expect(t.buf.holding(1)).toBe(false);
    expect(t.buf.heldBytes(1)).toBe(0);
  });

  it('keeps each connection apart', () => {
    const t = setup({ limitBytes: 2, policy: 'drop-newest', socketBytes: 1 });
    t.push(1, 'a1');
    t.push(2, 'b1');
    t.push(1, 'a2');
    t.push(1, 'a3');
    expect(t.buf.heldBytes(1)).toBe(2);
    expect(t.buf.heldBytes(2)).toBe(0);
    expect(t.events).toEqual(['dropped 1']);
    t.buf.closed(1);
    expect(t.buf.heldBytes(1)).toBe(0);
    t.push(2, 'b2');
    expect(t.buf.heldBytes(2)).toBe(2);
  });

  it('copies what it holds: the caller may reuse its buffer', () => {
    const t = setup({ limitBytes: 10, policy: 'drop-newest', socketBytes: 1 });
    t.push(1, 'x');
    const scratch = Buffer.from('ab');
    t.buf.push(1, scratch);
    scratch.write('zz');
    t.send(1);
    t.buf.drained(1);
    expect(t.texts()).toEqual(['x', 'ab']);
  });

  it('checks its options and defaults the socket share to 8 KiB', () => {
    const f = fakePort();
    expect(() => new OutputBuffer({ limitBytes: 1, policy: 'nope' as SlowConsumerPolicy }, f.port)).toThrow(/unknown slow-consumer policy 'nope'; known: drop-newest/);
    expect(() => new OutputBuffer({ limitBytes: -1, policy: 'disconnect' }, f.port)).toThrow(/limitBytes must be >= 0/);
    expect(() => new OutputBuffer({ limitBytes: Number.NaN, policy: 'disconnect' }, f.port)).toThrow(/limitBytes/);
    expect(new OutputBuffer({ limitBytes: 0, policy: 'disconnect' }, f.port).socketBytes).toBe(DEFAULT_SOCKET_BYTES);
    expect(DEFAULT_SOCKET_BYTES).toBe(8192);
  });

  it('property: what is written is the pushes in order, minus the dropped ones; held bytes never exceed the limit', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('push' as const), n: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ k: fc.constant('send' as const) }),
    );
    fc.assert(fc.property(
      fc.constantFrom(...SLOW_CONSUMER_POLICIES), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 20 }), fc.array(op, { maxLength: 60 }),
      (policy, limitBytes, socketBytes, ops) => {
        const t = setup({ limitBytes, policy, socketBytes });
        let gone = false; // disconnected
        let seq = 0;
        const pushed: string[] = [];
        for (const o of ops) {
          if (gone) break;
          if (o.k === 'send') {
            t.send(1);
            t.buf.drained(1);
          } else {
            // each push unique and of length n: a letter for its number, repeated
            const s = String.fromCharCode(65 + (seq++ % 26)).repeat(o.n);
            pushed.push(s);
            t.push(1, s);
            gone = t.events.includes('disconnect 1');
          }
          expect(t.buf.heldBytes(1)).toBeLessThanOrEqual(limitBytes);
        }
        const out = t.texts(1);
        // a subsequence of what was pushed, in order
        let j = 0;
        for (const s of out) {
          while (j < pushed.length && pushed[j] !== s) j++;
          expect(j).toBeLessThan(pushed.length);
          j++;
        }
        const dropped = t.events.filter((e) => e === 'dropped 1').length;
        if (!gone) {
          const held = pushed.length - out.length - dropped;
          expect(held).toBeGreaterThanOrEqual(0);
          if (held === 0) expect(t.buf.heldBytes(1)).toBe(0);
        }
        if (policy !== 'disconnect') expect(gone).toBe(false);
        else expect(dropped).toBe(0);
      },
    ));
  });
});
