import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventHeap } from '../../src/sim/event-heap';

describe('EventHeap', () => {
  it('is empty at first', () => {
    const h = new EventHeap();
    expect(h.size).toBe(0);
    expect(h.peekTime()).toBe(Infinity);
    expect(h.popSlot()).toBe(-1);
    expect(h.peekSlot()).toBe(-1);
  });

  it('pops by time, ties in push order', () => {
    const h = new EventHeap(4);
    const times = [5, 3, 5, 1, 3, 5, 0, 3];
    times.forEach((t, i) => h.push(t, i));
    const out: number[] = [];
    while (h.size > 0) out.push(h.popSlot());
    expect(out).toEqual([6, 3, 1, 4, 7, 0, 2, 5]);
  });

  it('keeps times beyond 2^31 exact and grows past its initial capacity', () => {
    const h = new EventHeap(4);
    const base = 2 ** 45;
    for (let i = 0; i < 5000; i++) h.push(base + ((i * 7919) % 5000), i);
    expect(h.size).toBe(5000);
    for (let i = 0; i < 5000; i++) {
      expect(h.peekTime()).toBe(base + i);
      h.popSlot();
    }
  });

  it('matches a sorted reference under random push/pop sequences', () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const h = new EventHeap(4);
        const ref: { t: number; seq: number; slot: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if ('push' in o) {
            h.push(o.push, seq);
            ref.push({ t: o.push, seq, slot: seq });
            seq++;
          } else {
            ref.sort((a, b) => a.t - b.t || a.seq - b.seq);
            const want = ref.shift();
            expect(h.peekTime()).toBe(want ? want.t : Infinity);
            expect(h.popSlot()).toBe(want ? want.slot : -1);
          }
          expect(h.size).toBe(ref.length);
        }
      }),
    );
  });

  it('filter drops entries and keeps the order of the rest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 200 }), (times) => {
        const h = new EventHeap(4);
        times.forEach((t, i) => h.push(t, i));
        h.filter((slot) => slot % 3 !== 0);
        const want = times
          .map((t, i) => ({ t, i }))
          .filter((e) => e.i % 3 !== 0)
          .sort((a, b) => a.t - b.t || a.i - b.i)
          .map((e) => e.i);
        const got: number[] = [];
        while (h.size > 0) got.push(h.popSlot());
        expect(got).toEqual(want);
      }),
    );
  });
});
