// The versioned protocol's server half against the embedded store: msg-sync's pages and its two
// explicit errors, BEHIND (history trimmed) and RESET (the client is ahead of a store that was reset).
import { describe, expect, it } from 'vitest';
import { MemoryStore, type MemoryStoreOptions } from '../../src/logic/memory-store';
import type { StoreOp, StoreResult } from '../../src/logic/store';
import { parseBehind, parseReset } from '../../src/protocol/messages';
import type { ServerCtx, Session } from '../../src/protocol/server-half';
import { versionedServer } from '../../src/protocol/versioned-server';
import type { Reply } from '../../src/wire';

function setup(opts: MemoryStoreOptions = {}) {
  const mem = new MemoryStore(opts);
  const replies: Reply[] = [];
  const later: (() => void)[] = [];
  const ctx: ServerCtx = {
    store: { exec<O extends StoreOp>(op: O, done: (r: StoreResult<O>) => void) { const r = mem.apply(op); later.push(() => done(r)); } },
    pageSize: 100,
    reply: (_s, _req, r) => void replies.push(r),
    push: () => {},
    alive: () => true,
  };
  const s: Session = { key: '1/1', gw: 1, conn: 1, user: 'bob', inflight: new Set(), loading: false, cursor: 0 };
  const sync = (after: number): Reply => {
    versionedServer.onCommand(ctx, s, 1, ['msg-sync', String(after)]);
    while (later.length) later.shift()!();
    return replies.pop()!;
  };
  const append = (cmid: string) => mem.apply({ op: 'append', mode: 'versioned', user: 'bob', from: 'alice', cmid, body: cmid });
  return { sync, append };
}

describe('versionedServer msg-sync', () => {
  it('answers RESET <latest> to a client ahead of the store (a store that was reset), never a silent []', () => {
    const t = setup();
    expect(parseReset(t.sync(3))).toBe(0); // a store that starts empty
    t.append('c1');
    t.append('c2');
    expect(parseReset(t.sync(3))).toBe(2);
    expect((t.sync(3) as Error).message).toMatch(/^RESET 2 .*sync again from 2$/);
    expect(t.sync(2)).toEqual([]); // caught up: no error
    expect((t.sync(1) as unknown[]).length).toBe(1);
    expect(parseReset(t.sync(0))).toBeNull();
  });

  it('answers BEHIND <oldest - 1> to a client older than the history kept', () => {
    const t = setup({ maxHistory: 2 });
    for (let i = 1; i <= 5; i++) t.append(`c${i}`);
    expect(parseBehind(t.sync(1))).toBe(3);
    expect((t.sync(3) as unknown[]).length).toBe(2);
  });

  it('answers BEHIND <latest> when the history is empty but versions were given out (never a silent [])', () => {
    const replies: Reply[] = [];
    const ctx: ServerCtx = {
      store: { exec: (_op, done) => queueMicrotask(() => (done as (r: unknown) => void)({ msgs: [], latest: 5, oldest: 6 })) },
      pageSize: 100,
      reply: (_s, _req, r) => void replies.push(r),
      push: () => {},
      alive: () => true,
    };
    const s: Session = { key: '1/1', gw: 1, conn: 1, user: 'bob', inflight: new Set(), loading: false, cursor: 0 };
    versionedServer.onCommand(ctx, s, 1, ['msg-sync', '2']);
    versionedServer.onCommand(ctx, s, 2, ['msg-sync', '5']);
    return new Promise<void>((done) => queueMicrotask(() => queueMicrotask(() => {
      expect(parseBehind(replies[0])).toBe(5);
      expect(replies[1]).toEqual([]);
      done();
    })));
  });
});
