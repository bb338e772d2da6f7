// retryUnanswered() and `unanswered` with the bookkeeping kept beside the reply slots: requests
// answered by the gateway itself between forwarded ones, replies out of order, a retry whose reply
// comes back at once, connections that close, and a property against a plain model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gateway } from '../../src/connection/gateway';
import type { Up } from '../../src/connection/layer-messages';
import { recordingTransport } from '../helpers/gateway-transport';

type Cmd = Extract<Up, { k: 'cmd' }>;

function setup(onUp: (m: Up, gw: Gateway) => void = () => {}) {
  const rec = recordingTransport();
  const up: Up[] = [];
  const gw: Gateway = new Gateway(rec.transport, (m) => {
    up.push(m);
    onUp(m, gw);
  });
  const login = (conn: number) => {
    gw.opened(conn);
    gw.data(conn, Buffer.from(`AUTH u${conn} t\r\n`));
    const m = up.pop() as Extract<Up, { k: 'login' }>;
    gw.downstream({ k: 'login', conn, req: m.req, user: `u${conn}`, ok: true });
    rec.replies(conn);
  };
  const reply = (m: Up, text = 'OK') => gw.downstream({ k: 'reply', conn: m.conn, req: (m as Cmd).req, reply: text });
  return { gw, up, rec, login, reply };
}

const cmdArgs = (ms: Up[]) => ms.map((m) => (m as Cmd).args.join(' '));

describe('Gateway: retryUnanswered beside the reply slots', () => {
  it('requests answered here between forwarded ones are not retried; order is kept', () => {
    const t = setup();
    t.login(1);
    t.gw.data(1, Buffer.from('PING\r\nmsg-sync 1\r\nECHO x\r\nPING\r\nmsg-sync 2\r\nSELECT 0\r\nmsg-sync 3\r\n'));
    const first = t.up.splice(0);
    expect(cmdArgs(first)).toEqual(['msg-sync 1', 'msg-sync 2', 'msg-sync 3']);
    expect(t.rec.replies(1)).toEqual(['PONG']); // the rest waits behind msg-sync 1
    t.reply(first[1], 'two'); // out of order: kept until msg-sync 1 is answered
    expect(t.gw.unanswered).toBe(2);
    expect(t.gw.retryUnanswered()).toBe(2);
    expect(t.up.splice(0)).toEqual([first[0], first[2]]);
    t.reply(first[0], 'one');
    t.reply(first[2], 'three');
    expect(t.rec.replies(1)).toEqual(['one', 'x', 'PONG', 'two', 'OK', 'three']);
    expect(t.gw.unanswered).toBe(0);
    expect(t.gw.retryUnanswered()).toBe(0);
    expect(t.gw.stats.retried).toBe(2);
  });

  it('nothing is retried once all is answered, and new requests after that are tracked from scratch', () => {
    const t = setup();
    t.login(1);
    for (let i = 0; i < 5; i++) {
      t.gw.data(1, Buffer.from(`PING\r\nmsg-sync ${i}\r\n`));
      t.reply(t.up.pop()!);
      expect(t.gw.unanswered).toBe(0);
    }
    t.gw.data(1, Buffer.from('PING\r\nPING\r\nmsg-sync 9\r\n'));
    expect(t.gw.unanswered).toBe(1);
    expect(cmdArgs(t.up.splice(0))).toEqual(['msg-sync 9']);
    expect(t.gw.retryUnanswered()).toBe(1);
    expect(cmdArgs(t.up)).toEqual(['msg-sync 9']);
  });

  it('a logic layer that answers at once while a retry runs: each request retried once, replies written once', () => {
    let answering = false;
    const t = setup((m, gw) => {
      if (answering && m.k === 'cmd') gw.downstream({ k: 'reply', conn: m.conn, req: m.req, reply: m.args[1] });
    });
    t.login(1);
    t.gw.data(1, Buffer.from('msg-sync 1\r\nPING\r\nmsg-sync 2\r\nmsg-sync 3\r\n'));
    t.up.splice(0);
    answering = true;
    expect(t.gw.retryUnanswered()).toBe(3);
    expect(cmdArgs(t.up)).toEqual(['msg-sync 1', 'msg-sync 2', 'msg-sync 3']);
    expect(t.rec.replies(1)).toEqual(['1', 'PONG', '2', '3']);
    expect(t.gw.unanswered).toBe(0);
  });

  it('a closed connection has nothing left to retry; the others keep theirs', () => {
    const t = setup();
    t.login(1);
    t.login(2);
    t.gw.data(1, Buffer.from('msg-sync 1\r\n'));
    t.gw.data(2, Buffer.from('msg-sync 2\r\n'));
    t.up.splice(0);
    t.gw.closed(1);
    t.up.splice(0); // its 'closed'
    expect(t.gw.unanswered).toBe(1);
    expect(t.gw.retryUnanswered()).toBe(1);
    expect(t.up.map((m) => m.conn)).toEqual([2]);
  });

  it('property: what is retried is exactly the forwarded requests not answered yet, in request order', () => {
    // ops: a local PING, a forwarded msg-sync, or a reply to the k-th outstanding forwarded request
    const op = fc.oneof(
      fc.constant({ k: 'ping' as const }),
      fc.constant({ k: 'fwd' as const }),
      fc.record({ k: fc.constant('reply' as const), pick: fc.nat() }),
      fc.constant({ k: 'retry' as const }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const t = setup();
      t.login(1);
      const outstanding: Cmd[] = []; // the model: forwarded, unanswered, in request order
      let n = 0;
      for (const o of ops) {
        if (o.k === 'ping') t.gw.data(1, Buffer.from('PING\r\n'));
        else if (o.k === 'fwd') {
          t.gw.data(1, Buffer.from(`msg-sync ${n++}\r\n`));
          outstanding.push(t.up.pop() as Cmd);
        } else if (o.k === 'reply' && outstanding.length > 0) {
          const [m] = outstanding.splice(o.pick % outstanding.length, 1);
          t.reply(m);
        } else if (o.k === 'retry') {
          t.up.length = 0;
          expect(t.gw.retryUnanswered()).toBe(outstanding.length);
          expect(t.up).toEqual(outstanding);
          t.up.length = 0;
        }
        expect(t.gw.unanswered).toBe(outstanding.length);
      }
    }));
  });
});
