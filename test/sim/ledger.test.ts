import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/sim/ledger';

const msg = (id: number, cmid: string, from = 'alice') => ({ id, from, cmid, body: `m ${cmid}` });

describe('Ledger', () => {
  it('counts per (device, message), not totals', () => {
    const l = new Ledger();
    l.sent('alice', 'bob', 'a-1');
    l.sent('alice', 'bob', 'a-2');
    l.acked('alice', 'a-1');
    l.acked('alice', 'a-2');
    l.apply(1, 'bob', 'bob-d1', msg(1, 'a-1'));
    l.apply(2, 'bob', 'bob-d1', msg(1, 'a-1')); // duplicate
    const s = l.summary();
    // two applications in total would look "complete" by totals; by key a-2 is lost and a-1 doubled
    expect(s).toMatchObject({ sent: 2, acked: 2, applied: 2, unique: 1, duplicates: 1, lost: 1, outOfOrder: 0 });
    expect(l.timesApplied('bob-d1', 'alice', 'a-1')).toBe(2);
  });

  it('detects out-of-order application per sender device', () => {
    const l = new Ledger();
    l.apply(1, 'bob', 'bob-d1', msg(2, 'alice-d1-2'));
    l.apply(2, 'bob', 'bob-d1', msg(1, 'alice-d1-1'));
    l.apply(3, 'bob', 'bob-d1', msg(3, 'carol-d1-1', 'carol')); // another sender: its own order
    expect(l.summary().outOfOrder).toBe(1);
  });

  it('a message sent but not yet acknowledged is pending, not lost', () => {
    const l = new Ledger();
    l.sent('alice', 'bob', 'a-1');
    expect(l.summary()).toMatchObject({ lost: 0, pending: 1 });
  });

  it('onlySent: deliveries of messages it never saw sent are counted as ignored and judged nowhere', () => {
    const l = new Ledger({ onlySent: true });
    l.sent('alice', 'bob', 'a-1');
    l.acked('alice', 'a-1');
    l.apply(1, 'bob', 'bob-d1', msg(1, 'old-1')); // an earlier run's, still in bob's mailbox
    l.apply(2, 'bob', 'bob-d1', msg(1, 'old-1'));
    l.apply(3, 'bob', 'bob-d1', msg(2, 'a-1'));
    expect(l.ignored).toBe(2);
    expect(l.timesApplied('bob-d1', 'alice', 'old-1')).toBe(0);
    expect(l.summary()).toMatchObject({ sent: 1, acked: 1, applied: 1, unique: 1, duplicates: 0, lost: 0 });
    expect(l.receivedBy('bob')).toHaveLength(1);
    const all = new Ledger(); // the default judges every delivery, as the simulator's worlds do
    all.apply(1, 'bob', 'bob-d1', msg(1, 'old-1'));
    expect([all.ignored, all.summary().unique]).toEqual([0, 1]);
  });
});
