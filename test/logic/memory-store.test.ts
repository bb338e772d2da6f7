import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/logic/memory-store';

const append = (s: MemoryStore, user: string, cmid: string, from = 'alice') =>
  s.apply({ op: 'append', mode: 'versioned', user, from, cmid, body: `body ${cmid}` });

describe('MemoryStore', () => {
  it('gives each recipient its own INCR sequence', () => {
    const s = new MemoryStore();
    expect(append(s, 'bob', 'c1').id).toBe(1);
    expect(append(s, 'bob', 'c2').id).toBe(2);
    expect(append(s, 'carol', 'c3').id).toBe(1);
  });

  it('stores a retried send (same sender, recipient, cmid) once', () => {
    const s = new MemoryStore();
    expect(append(s, 'bob', 'c1')).toEqual({ id: 1, dup: false });
    expect(append(s, 'bob', 'c1')).toEqual({ id: 1, dup: true });
    expect(s.size('bob')).toBe(1);
    // the same cmid to another recipient is another message
    expect(append(s, 'carol', 'c1')).toEqual({ id: 1, dup: false });
  });

  it('ranges after a version, in order, paged', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 10; i++) append(s, 'bob', `c${i}`);
    const r = s.apply({ op: 'range', mode: 'versioned', user: 'bob', after: 3, limit: 4 });
    expect(r.msgs.map((m) => m.id)).toEqual([4, 5, 6, 7]);
    expect(r.latest).toBe(10);
    expect(s.apply({ op: 'range', mode: 'versioned', user: 'bob', after: 10, limit: 4 }).msgs).toEqual([]);
    expect(s.apply({ op: 'range', mode: 'versioned', user: 'nobody', after: 0, limit: 4 })).toEqual({ msgs: [], latest: 0, oldest: 0 });
  });

  it('deletes acknowledged queue entries only', () => {
    const s = new MemoryStore();
    for (let i = 1; i <= 5; i++) s.apply({ op: 'append', mode: 'queue', user: 'bob', from: 'alice', cmid: `c${i}`, body: 'x' });
    expect(s.apply({ op: 'ack', mode: 'queue', user: 'bob', ids: [2, 4, 99] })).toEqual({ removed: 2 });
    const left = s.apply({ op: 'range', mode: 'queue', user: 'bob', after: 0, limit: 100 }).msgs.map((m) => m.id);
    expect(left).toEqual([1, 3, 5]);
  });

  it('trims versioned history beyond maxHistory, reporting the oldest kept', () => {
    const s = new MemoryStore({ maxHistory: 3 });
    for (let i = 1; i <= 5; i++) append(s, 'bob', `c${i}`);
    const r = s.apply({ op: 'range', mode: 'versioned', user: 'bob', after: 0, limit: 10 });
    expect(r.msgs.map((m) => m.id)).toEqual([3, 4, 5]);
    expect(r.oldest).toBe(3);
  });
});
