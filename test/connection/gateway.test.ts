import { describe, expect, it } from 'vitest';
import { Gateway } from '../../src/connection/gateway';
import type { Up } from '../../src/connection/layer-messages';
import { Push, ReplyError, RespMap, type Reply } from '../../src/wire';
import { recordingTransport } from '../helpers/gateway-transport';

/** A gateway with a recording transport and upstream; `replies(conn)` decodes what it wrote. */
function setup() {
  const { transport, closed, replies } = recordingTransport();
  const up: Up[] = [];
  const gw = new Gateway(transport, (m) => void up.push(m));
  const open = (c: number) => gw.opened(c);
  const send = (c: number, s: string) => gw.data(c, Buffer.from(s));
  const login = (c: number, user = 'alice') => {
    send(c, `AUTH ${user} token\r\n`);
    const m = up.pop() as Extract<Up, { k: 'login' }>;
    gw.downstream({ k: 'login', conn: c, req: m.req, user, ok: true });
    expect(replies(c)).toEqual(['OK']);
  };
  return { gw, up, closed, replies, open, send, login };
}

const err = (r: Reply) => (r as ReplyError).message;

describe('Gateway: served before login', () => {
  it('answers PING, ECHO and handshakes itself', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'PING\r\nping hi\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\nCONFIG GET save\r\nCLIENT SETINFO lib-name x\r\nSELECT 0\r\n');
    expect(t.replies(1)).toEqual(['PONG', 'hi', 'abc', ['save', ''], 'OK', 'OK']);
    expect(t.up).toEqual([]);
  });

  it('refuses IM commands with NOAUTH, names unknown commands and wrong arity as Redis does', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'send bob c1 hi\r\nfoo a b\r\nping a b\r\n');
    expect(t.replies(1).map(err)).toEqual([
      'NOAUTH Authentication required.',
      "ERR unknown command 'foo', with args beginning with: 'a' 'b' ",
      "ERR wrong number of arguments for 'ping' command",
    ]);
  });

  it('sends AUTH to the logic layer and answers from its verdict', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'AUTH alice secret\r\n');
    expect(t.up).toEqual([{ k: 'login', gw: 0, conn: 1, req: 0, user: 'alice', token: 'secret' }]);
    expect(t.gw.phaseCounts()['p-ses']).toBe(1);
    t.gw.downstream({ k: 'login', conn: 1, req: 0, user: 'alice', ok: false });
    expect(t.replies(1).map(err)).toEqual(['WRONGPASS invalid username-password pair or user is disabled.']);
    expect(t.gw.phaseCounts()['iop-ses']).toBe(1);
  });

  it('HELLO 3 switches to RESP3; HELLO 4 is NOPROTO', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'HELLO 4\r\nHELLO 3\r\n');
    const [a, b] = t.replies(1);
    expect(err(a)).toBe('NOPROTO unsupported protocol version');
    expect(b).toBeInstanceOf(RespMap);
    expect(new Map((b as RespMap).entries).get('proto')).toBe(3);
  });
});

describe('Gateway: after login', () => {
  it('forwards IM commands and keeps replies in request order', () => {
    const t = setup();
    t.open(1);
    t.login(1);
    t.send(1, 'send bob c1 hi\r\nPING\r\n');
    expect(t.replies(1)).toEqual([]); // PONG waits behind the send's reply
    const m = t.up.pop() as Extract<Up, { k: 'cmd' }>;
    expect(m.args).toEqual(['send', 'bob', 'c1', 'hi']);
    t.gw.downstream({ k: 'reply', conn: 1, req: m.req, reply: 'OK' });
    expect(t.replies(1)).toEqual(['OK', 'PONG']);
  });

  it('delivers pushes only to RESP3 connections', () => {
    const t = setup();
    t.open(1);
    t.open(2);
    t.login(1);
    t.send(2, 'HELLO 3\r\n');
    t.replies(2);
    t.gw.downstream({ k: 'push', conn: 1, items: ['msg-psh', '1'] });
    t.gw.downstream({ k: 'push', conn: 2, items: ['msg-psh', '1'] });
    expect(t.replies(1)).toEqual([]);
    expect(t.replies(2)).toEqual([new Push(['msg-psh', '1'])]);
    expect(t.gw.stats.pushesDropped).toBe(1);
  });

  it('tells the logic layer when a logged-in connection closes', () => {
    const t = setup();
    t.open(1);
    t.login(1);
    t.gw.closed(1);
    expect(t.up).toEqual([{ k: 'closed', gw: 0, conn: 1, user: 'alice' }]);
  });
});

describe('Gateway: bad input', () => {
  it('answers a protocol error exactly as Redis, closes that connection only', () => {
    const t = setup();
    t.open(1);
    t.open(2);
    t.send(1, 'PING\r\n*1\r\nx\r\nPING\r\n');
    expect(t.replies(1).map((r) => (r instanceof ReplyError ? r.message : r))).toEqual([
      'PONG',
      "ERR Protocol error: expected '$', got 'x'",
    ]);
    expect(t.closed.has(1)).toBe(true);
    t.send(2, 'PING\r\n');
    expect(t.replies(2)).toEqual(['PONG']);
    expect(t.closed.has(2)).toBe(false);
  });

  it('QUIT answers OK, closes, and runs nothing after it', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'QUIT\r\nPING\r\n');
    expect(t.replies(1)).toEqual(['OK']);
    expect(t.closed.has(1)).toBe(true);
  });

  it('waits for pending replies before writing the protocol error', () => {
    const t = setup();
    t.open(1);
    t.login(1);
    t.send(1, 'send bob c1 hi\r\n*-x\r\n');
    expect(t.replies(1)).toEqual([]);
    expect(t.closed.has(1)).toBe(false);
    const m = t.up.pop() as Extract<Up, { k: 'cmd' }>;
    t.gw.downstream({ k: 'reply', conn: 1, req: m.req, reply: 'OK' });
    expect(t.replies(1).map((r) => (r instanceof ReplyError ? r.message : r))).toEqual([
      'OK',
      'ERR Protocol error: invalid multibulk length',
    ]);
    expect(t.closed.has(1)).toBe(true);
  });
});

describe('Gateway: handshakes of stock clients', () => {
  it('runs commands pipelined behind AUTH once the login is decided, in order (redis-benchmark does this)', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'AUTH alice tok\r\nPING\r\nsend bob c1 hi\r\n');
    expect(t.up.map((m) => m.k)).toEqual(['login']); // nothing behind AUTH ran yet
    const m = t.up.pop() as Extract<Up, { k: 'login' }>;
    t.gw.downstream({ k: 'login', conn: 1, req: m.req, user: 'alice', ok: true });
    expect(t.up).toEqual([{ k: 'cmd', gw: 0, conn: 1, req: 2, user: 'alice', args: ['send', 'bob', 'c1', 'hi'] }]);
    t.gw.downstream({ k: 'reply', conn: 1, req: 2, reply: 'stored' });
    expect(t.replies(1)).toEqual(['OK', 'PONG', 'stored']);
  });

  it('a refused login leaves the pipelined commands to run unauthenticated (NOAUTH), as Redis does', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'AUTH alice bad\r\nsend bob c1 hi\r\n');
    const m = t.up.pop() as Extract<Up, { k: 'login' }>;
    t.gw.downstream({ k: 'login', conn: 1, req: m.req, user: 'alice', ok: false });
    expect(t.replies(1).map(err)).toEqual([
      'WRONGPASS invalid username-password pair or user is disabled.', 'NOAUTH Authentication required.',
    ]);
  });

  it('CONFIG GET matches glob patterns and CLIENT checks its arguments', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'CONFIG GET sav* appendonly\r\nCONFIG GET nothing\r\nCONFIG GET\r\nCLIENT SETINFO lib-ver\r\nCLIENT SETINFO color red\r\nCLIENT SETNAME a b\r\nSELECT x\r\nSELECT 1\r\n');
    const r = t.replies(1);
    expect(r.slice(0, 2)).toEqual([['save', '', 'appendonly', 'no'], []]); // a map, flattened in RESP2
    expect(r.slice(2).map(err)).toEqual([
      "ERR wrong number of arguments for 'config|get' command",
      "ERR wrong number of arguments for 'client|setinfo' command",
      "ERR Unrecognized option 'color'",
      "ERR wrong number of arguments for 'client|setname' command",
      'ERR value is not an integer or out of range',
      'ERR DB index is out of range',
    ]);
  });

  it('ECHO and PING give binary data back byte for byte (redis-cli --pipe waits for ECHO of 20 random bytes)', () => {
    const out: Buffer[] = [];
    const gw = new Gateway({ write: (_c, b) => void out.push(Buffer.from(b)), close: () => {} }, () => {});
    gw.opened(1);
    const magic = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0d, 0x0a, 0x61]);
    const bulk = (b: Buffer) => Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]);
    // cut inside the binary argument: the bytes survive a command split across reads
    const req = Buffer.concat([Buffer.from('*2\r\n$4\r\nECHO\r\n'), bulk(magic), Buffer.from('*2\r\n$4\r\nPING\r\n'), bulk(magic),
      Buffer.from('*2\r\n$4\r\nECHO\r\n'), bulk(Buffer.from('héllo')), Buffer.from('*2\r\n$4\r\neChO\r\n'), bulk(magic)]);
    gw.data(1, req.subarray(0, 20));
    gw.data(1, req.subarray(20));
    expect(Buffer.concat(out)).toEqual(Buffer.concat([bulk(magic), bulk(magic), bulk(Buffer.from('héllo')), bulk(magic)]));
  });

  it('SELECT takes integers as Redis writes them; HELLO SETNAME refuses a bad name before switching protocol', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'SELECT 00\r\nSELECT -0\r\nSELECT 0\r\nHELLO 3 SETNAME "a b"\r\nCLIENT GETNAME\r\nHELLO 3 SETNAME ok\r\nCLIENT GETNAME\r\n');
    const r = t.replies(1);
    expect(r.slice(0, 4).map((x) => (x instanceof ReplyError ? x.message : x))).toEqual([
      'ERR value is not an integer or out of range', 'ERR value is not an integer or out of range', 'OK',
      'ERR Client names cannot contain spaces, newlines or special characters.',
    ]);
    expect(r[4]).toBe(null); // no name, and still RESP2 (a null bulk, not RESP3's _)
    expect(new Map((r[5] as RespMap).entries).get('proto')).toBe(3);
    expect(r[6]).toBe('ok');
  });

  it('COMMAND DOCS describes imsim commands for redis-cli hints; unknown names are left out', () => {
    const t = setup();
    t.open(1);
    t.send(1, 'HELLO 3\r\nCOMMAND DOCS send nosuch\r\nCOMMAND COUNT\r\nCOMMAND INFO msg-fin\r\n');
    const [, docs, count, info] = t.replies(1);
    const entries = (docs as RespMap).entries;
    expect(entries.map(([k]) => k)).toEqual(['send']);
    const doc = new Map((entries[0][1] as RespMap).entries);
    expect(doc.get('group')).toBe('imsim');
    const args = (doc.get('arguments') as RespMap[]).map((a) => new Map(a.entries).get('name'));
    expect(args).toEqual(['to', 'cmid', 'body']);
    expect(count).toBeGreaterThan(10);
    expect((info as Reply[][])[0].slice(0, 2)).toEqual(['msg-fin', 3]);
  });
});
