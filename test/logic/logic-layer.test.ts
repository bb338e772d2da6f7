// The logic layer's SessionDirectory port (several logic processes sharing who is online where)
// and the announcement of retried sends: the versioned protocol announces a retried send again
// (its first attempt may have died between storing and pushing), the queue protocol does not.
import { describe, expect, it } from 'vitest';
import type { Down, Up } from '../../src/connection/layer-messages';
import { LogicLayer, type LogicOptions, type SessionDirectory } from '../../src/logic/logic-layer';
import { MemoryStore, type MemoryStoreOptions } from '../../src/logic/memory-store';
import { SessionTable } from '../../src/logic/sessions';
import type { StoreOp, StorePort, StoreResult } from '../../src/logic/store';
import type { ProtocolName } from '../../src/protocol/messages';
import { makeToken } from '../../src/protocol/token';
import type { Session } from '../../src/protocol/server-half';
import { ReplyError, SimpleString } from '../../src/wire';

/** The embedded store, answering on a later microtask (never inside exec). */
function store(opts: MemoryStoreOptions = {}): StorePort {
  const m = new MemoryStore(opts);
  return {
    exec<O extends StoreOp>(op: O, done: (r: StoreResult<O>) => void) {
      const r = m.apply(op);
      queueMicrotask(() => done(r));
    },
  };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

function setup(protocol: ProtocolName, directory?: SessionDirectory, storeOpts: MemoryStoreOptions = {}, logicOpts: Partial<LogicOptions> = {}) {
  const downs: [number, Down][] = [];
  const logic = new LogicLayer(store(storeOpts), (gw, m) => downs.push([gw, m]), { protocol, directory, ...logicOpts });
  const handle = (m: Up) => logic.handle(m);
  const login = (gw: number, conn: number, user: string) => handle({ k: 'login', gw, conn, req: 0, user, token: makeToken(user) });
  const send = (gw: number, conn: number, req: number, user: string, to: string, cmid: string) =>
    handle({ k: 'cmd', gw, conn, req, user, args: ['send', to, cmid, 'hello'] });
  const pushes = (conn: number) => downs.filter(([, m]) => m.k === 'push' && m.conn === conn).map(([, m]) => (m as { items: string[] }).items);
  /** The reply to request `req` on connection `conn`. */
  const reply = (conn: number, req: number) =>
    (findReply(downs, conn, req) as { reply: unknown } | undefined)?.reply;
  return { logic, downs, login, send, pushes, handle, reply };
}

function findReply(downs: [number, Down][], conn: number, req: number) {
  return downs.map(([, m]) => m).find((m) => m.k === 'reply' && m.conn === conn && m.req === req);
}

describe('LogicLayer', () => {
  it.each(['queue', 'versioned'] as const)('%s: a cmid reused for another message is answered with an error, not +OK', async (protocol) => {
    const t = setup(protocol);
    t.login(1, 1, 'alice');
    await settle();
    t.handle({ k: 'cmd', gw: 1, conn: 1, req: 1, user: 'alice', args: ['send', 'bob', 'alice-d1-1', 'hello'] });
    t.handle({ k: 'cmd', gw: 1, conn: 1, req: 2, user: 'alice', args: ['send', 'bob', 'alice-d1-1', 'something else'] });
    t.handle({ k: 'cmd', gw: 1, conn: 1, req: 3, user: 'alice', args: ['send', 'bob', 'alice-d1-1', 'hello'] });
    await settle();
    expect(t.reply(1, 1)).toEqual(new SimpleString('OK'));
    expect(t.reply(1, 2)).toEqual(new ReplyError('ERR cmid alice-d1-1 was already used for another message'));
    expect(t.reply(1, 3)).toEqual(new SimpleString('OK')); // a true retry
    expect(t.logic.stats).toMatchObject({ stored: 1, duplicatesDropped: 1, refused: 1 });
  });

  it.each(['queue', 'versioned'] as const)('%s: a body over maxBodyBytes (UTF-8 bytes) is refused, saying media goes over HTTP', async (protocol) => {
    const t = setup(protocol, undefined, {}, { maxBodyBytes: 8 });
    t.login(1, 1, 'alice');
    await settle();
    const send = (req: number, cmid: string, body: string) =>
      t.handle({ k: 'cmd', gw: 1, conn: 1, req, user: 'alice', args: ['send', 'bob', cmid, body] });
    send(1, 'c1', '12345678'); // exactly the limit
    send(2, 'c2', '123456789');
    send(3, 'c3', 'ééééé'); // 5 characters, 10 bytes
    await settle();
    expect(t.reply(1, 1)).toEqual(new SimpleString('OK'));
    expect(t.reply(1, 2)).toEqual(new ReplyError(
      'ERR message body is 9 bytes, over the 8-byte limit: send media over HTTP (POST /media) and its reference media:<type>:<sha256 hex> as the body'));
    expect((t.reply(1, 3) as ReplyError).message).toMatch(/^ERR message body is 10 bytes, over the 8-byte limit/);
    expect(t.logic.stats).toMatchObject({ stored: 1, refused: 2 });
  });

  it('refuses 64 KiB + 1 by default, and a maxBodyBytes below 1', async () => {
    const t = setup('versioned');
    t.login(1, 1, 'alice');
    await settle();
    t.handle({ k: 'cmd', gw: 1, conn: 1, req: 1, user: 'alice', args: ['send', 'bob', 'c1', 'x'.repeat(64 * 1024)] });
    t.handle({ k: 'cmd', gw: 1, conn: 1, req: 2, user: 'alice', args: ['send', 'bob', 'c2', 'x'.repeat(64 * 1024 + 1)] });
    await settle();
    expect(t.reply(1, 1)).toEqual(new SimpleString('OK'));
    expect((t.reply(1, 2) as ReplyError).message).toMatch(/65537 bytes, over the 65536-byte limit/);
    expect(() => setup('queue', undefined, {}, { maxBodyBytes: 0 })).toThrow(/maxBodyBytes must be a whole number of bytes >= 1/);
  });

  it('queue: a send to a full mailbox is refused with an error that says so, never +OK, and not pushed', async () => {
    const t = setup('queue', undefined, { maxQueued: 1 });
    t.login(1, 1, 'alice');
    t.login(1, 2, 'bob');
    await settle();
    t.send(1, 1, 1, 'alice', 'bob', 'alice-d1-1');
    t.send(1, 1, 2, 'alice', 'bob', 'alice-d1-2');
    await settle();
    expect(t.reply(1, 1)).toEqual(new SimpleString('OK'));
    const refused = t.reply(1, 2);
    expect(refused).toBeInstanceOf(ReplyError);
    expect((refused as ReplyError).message).toMatch(/^ERR bob's mailbox is full \(1 messages not yet acknowledged\); message not stored, send it again later$/);
    expect(t.logic.stats).toMatchObject({ stored: 1, refused: 1 });
    expect(t.pushes(2).map((p) => p[2])).toEqual(['alice']); // one msg-send, for the stored one
  });

  it('versioned: a retried send is stored once, answered OK, and announced again', async () => {
    const t = setup('versioned');
    t.login(1, 1, 'alice');
    t.login(1, 2, 'bob');
    t.send(1, 1, 1, 'alice', 'bob', 'alice-d1-1');
    await settle();
    t.send(1, 1, 2, 'alice', 'bob', 'alice-d1-1'); // the client did not see the OK: sends again
    await settle();
    expect(t.logic.stats).toMatchObject({ stored: 1, duplicatesDropped: 1 });
    const oks = t.downs.filter(([, m]) => m.k === 'reply' && m.reply instanceof SimpleString && m.reply.value === 'OK');
    expect(oks).toHaveLength(2);
    expect(t.pushes(2)).toEqual([['msg-psh', '1'], ['msg-psh', '1']]);
    // the push says whom it is for (a connection process drops a stale route with it)
    expect(t.downs.find(([, m]) => m.k === 'push')![1]).toMatchObject({ user: 'bob' });
  });

  it('queue: a retried send is not pushed again (it waits in the List; a second push would only duplicate)', async () => {
    const t = setup('queue');
    t.login(1, 1, 'alice');
    t.login(1, 2, 'bob');
    await settle();
    t.send(1, 1, 1, 'alice', 'bob', 'alice-d1-1');
    await settle();
    t.send(1, 1, 2, 'alice', 'bob', 'alice-d1-1');
    await settle();
    expect(t.pushes(2)).toEqual([['msg-send', '1', 'alice', 'alice-d1-1', 'hello']]);
  });

  it('with a directory: tells it of logins and closes, serves commands of connections logged in elsewhere, pushes where it says', async () => {
    const events: string[] = [];
    const elsewhere: Session[] = [SessionTable.detached(7, 70, 'bob'), SessionTable.detached(8, 80, 'bob')];
    const directory: SessionDirectory = {
      opened: (s) => events.push(`opened ${s.user} ${s.gw}:${s.conn}`),
      closed: (gw, conn, user) => events.push(`closed ${user} ${gw}:${conn}`),
      lookup: (user, then) => {
        events.push(`lookup ${user}`);
        queueMicrotask(() => then(user === 'bob' ? elsewhere : []));
      },
    };
    const t = setup('versioned', directory);
    t.login(1, 1, 'alice');
    // conn 2 of process 1 logged in as carol through another logic process: its command is served here
    t.send(1, 2, 5, 'carol', 'bob', 'carol-d1-1');
    await settle();
    expect(t.downs.filter(([gw, m]) => gw === 1 && m.k === 'reply' && m.conn === 2 && m.req === 5)).toHaveLength(1);
    // bob's push went to both of his connections, on processes 7 and 8
    expect(t.downs.filter(([, m]) => m.k === 'push').map(([gw, m]) => [gw, m.conn])).toEqual([[7, 70], [8, 80]]);
    t.handle({ k: 'closed', gw: 1, conn: 1, user: 'alice' });
    expect(events).toEqual(['opened alice 1:1', 'lookup bob', 'closed alice 1:1']);
    // without a directory, a command from a connection never logged in here is dropped as before
    const plain = setup('versioned');
    plain.send(1, 2, 5, 'carol', 'bob', 'carol-d1-1');
    await settle();
    expect(plain.downs).toEqual([]);
  });
});
