// IdleReaper: one sweep timer for every connection. Each connection is still closed the moment its
// silence reaches idleUs (on the simulator's kernel, so times are exact), touching postpones it, and a
// reaper with nothing left to watch leaves no timer behind.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdleReaper } from '../../src/connection/idle-reaper';
import type { Scheduler } from '../../src/ports';
import { Kernel } from '../../src/sim/kernel';

function setup(idleUs: number, onIdle?: (conn: number, r: IdleReaper) => void) {
  const k = new Kernel();
  const sched: Scheduler = { now: () => k.now, setTimer: (d, fn) => k.schedule(d, fn), clearTimer: (id) => void k.cancel(id) };
  const reaped: [number, number][] = []; // [conn, at]
  const r: IdleReaper = new IdleReaper(sched, idleUs, (conn) => {
    reaped.push([conn, k.now]);
    onIdle?.(conn, r);
  });
  return { k, r, reaped };
}

describe('IdleReaper', () => {
  it('closes each connection exactly idleUs after it was last heard from, with one timer for all', () => {
    const { k, r, reaped } = setup(100);
    r.touch(1);
    k.schedule(30, () => r.touch(2));
    k.schedule(50, () => r.touch(1)); // 1 heard again: now due at 150, after 2 (130)
    k.schedule(60, () => r.touch(3));
    k.run({ until: 59 });
    expect(k.pending).toBe(2); // the sweep and the touch of 3: no timer per connection
    k.run();
    expect(reaped).toEqual([[2, 130], [1, 150], [3, 160]]);
    expect(r.reaped).toBe(3);
    expect(k.pending).toBe(0); // nothing left to watch, nothing armed
  });

  it('forgets a connection that closed; forgetting the last one clears the timer', () => {
    const { k, r, reaped } = setup(100);
    r.touch(1);
    r.touch(2);
    r.forget(1);
    expect(k.pending).toBe(1);
    r.forget(2);
    expect(k.pending).toBe(0);
    r.forget(3); // unknown: nothing happens
    r.touch(4);
    k.run();
    expect(reaped).toEqual([[4, 100]]);
  });

  it('closes connections that fall silent together in one sweep, and an onIdle that touches another re-arms once for it', () => {
    const { k, r, reaped } = setup(100, (conn, reaper) => {
      if (conn === 1) reaper.touch(9); // a close that makes another connection speak
    });
    r.touch(1);
    r.touch(2);
    k.schedule(40, () => r.touch(3));
    k.run({ until: 100 });
    expect(reaped).toEqual([[1, 100], [2, 100]]);
    expect(k.pending).toBe(1); // one sweep, for 3 at 140 (9 at 200 comes after it)
    k.run();
    expect(reaped).toEqual([[1, 100], [2, 100], [3, 140], [9, 200]]);
  });

  it('property: every connection is closed at its last touch + idleUs unless forgotten before', () => {
    const idleUs = 51; // odd, touches at even times: no touch falls on the instant a connection is due
    const op = fc.record({ at: fc.integer({ min: 0, max: 150 }).map((x) => 2 * x), conn: fc.integer({ min: 1, max: 6 }), forget: fc.boolean() });
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const { k, r, reaped } = setup(idleUs);
      const sorted = [...ops].sort((a, b) => a.at - b.at);
      for (const o of sorted) k.schedule(o.at, () => (o.forget ? r.forget(o.conn) : r.touch(o.conn)));
      k.run();
      // the model: replay the ops in time order; before each, close whatever has been silent idleUs
      const last = new Map<number, number>();
      const model: string[] = [];
      const reapBefore = (t: number) => {
        for (const [c, at] of [...last].sort((a, b) => a[1] - b[1])) {
          if (at + idleUs > t) break;
          last.delete(c);
          model.push(`${c}@${at + idleUs}`);
        }
      };
      for (const o of sorted) {
        reapBefore(o.at);
        last.delete(o.conn); // a touch makes it the most recently heard (ties are closed in that order)
        if (!o.forget) last.set(o.conn, o.at);
      }
      reapBefore(Infinity);
      expect(reaped.map(([c, t]) => `${c}@${t}`)).toEqual(model);
      expect(k.pending).toBe(0);
    }), { numRuns: 200 });
  });
});
