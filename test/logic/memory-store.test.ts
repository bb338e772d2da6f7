// The embedded store: the store contract (through delayedStore, as both runtimes wrap it), plus
// what only the embedded store has: a bounded dedup window per sender and size().
import { describe, expect, it } from 'vitest';
import { delayedStore } from '../../src/logic/delayed-store';
import { MemoryStore } from '../../src/logic/memory-store';
import { realScheduler } from '../../src/server/real-scheduler';
import { storeContract } from './store-contract';

storeContract('MemoryStore', async (opts) => ({ port: delayedStore(new MemoryStore(opts), realScheduler(), 0) }));

const append = (s: MemoryStore, user: string, cmid: string, from = 'alice') =>
  s.apply({ op: 'append', mode: 'versioned', user, from, cmid, body: `body ${cmid}` });

describe('MemoryStore', () => {
  it('counts what waits per user', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 5; i++) s.apply({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: `c${i}`, body: 'x' });
    s.apply({ op: 'ack', mode: 'queue', user: 'bob', ids: [1, 2] });
    expect(s.size('bob')).toBe(3);
    expect(s.size('nobody')).toBe(0);
  });

  it('remembers the last dedupWindow client ids per sender, forgetting the oldest', () => {
    const s = new MemoryStore({ dedupWindow: 2 });
    append(s, 'bob', 'c1');
    append(s, 'bob', 'c2');
    append(s, 'bob', 'c3');
    expect(append(s, 'bob', 'c3')).toEqual({ id: 3, dup: true });
    expect(append(s, 'bob', 'c1')).toEqual({ id: 4, dup: false }); // forgotten: stored again
  });
});
