import { describe, expect, it } from 'vitest';
import type { ClientCtx } from '../../src/protocol/client-half';
import type { StoredMsg } from '../../src/protocol/messages';
import { VersionedClient } from '../../src/protocol/versioned-client';
import { reset } from '../../src/protocol/messages';
import type { Reply } from '../../src/wire';

/** A fake context that records requests and lets the test answer them. */
function harness() {
  const sent: { args: string[]; onReply?: (r: Reply) => void }[] = [];
  const applied: number[] = [];
  const gaps: [number, number][] = [];
  const timers = new Map<number, { delayUs: number; fn: () => void }>();
  let nextTimer = 0;
  const ctx: ClientCtx = {
    request: (args, onReply) => void sent.push({ args, onReply }),
    apply: (m: StoredMsg) => void applied.push(m.id),
    gap: (from, to) => void gaps.push([from, to]),
    setTimer: (delayUs, fn) => (timers.set(++nextTimer, { delayUs, fn }), nextTimer),
    clearTimer: (id) => void timers.delete(id),
  };
  const entry = (n: number) => ['msg', 'v', String(n), 'alice', `alice-d1-${n}`, `hello ${n}`];
  /** Fires every timer set so far (as a scheduler would once their delay passed). */
  const fire = () => {
    const due = [...timers.values()];
    timers.clear();
    for (const t of due) t.fn();
  };
  return { sent, applied, gaps, timers, fire, ctx, entry };
}

describe('VersionedClient', () => {
  it('syncs on login from its cursor, applies in order, confirms with msg-fin', () => {
    const { sent, applied, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.onLogin(ctx);
    expect(sent[0].args).toEqual(['msg-sync', '0']);
    sent[0].onReply!([entry(1), entry(2), entry(3)]);
    expect(applied).toEqual([1, 2, 3]);
    expect(sent[1].args).toEqual(['msg-fin', 'v', '3']);
    expect(c.cursor).toBe(3);
  });

  it('ignores versions it already has and stops at a gap, then syncs again from the cursor', () => {
    const { sent, applied, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.cursor = 2;
    c.onLogin(ctx);
    sent[0].onReply!([entry(2), entry(3), entry(5), entry(6)]);
    expect(applied).toEqual([3]);
    expect(c.ignored).toBe(1);
    expect(c.gaps).toBe(1);
    expect(sent.slice(1).map((s) => s.args)).toEqual([['msg-fin', 'v', '3'], ['msg-sync', '3']]);
    // the same gap again: history is gone; it is reported and skipped, never silently
    sent[2].onReply!([entry(5)]);
    expect(applied).toEqual([3, 5]);
    expect(sent.slice(3).map((s) => s.args)).toEqual([['msg-fin', 'v', '5']]);
  });

  it('a permanent hole is reported once and passed, so later versions still arrive', () => {
    const { sent, applied, gaps, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.cursor = 3;
    c.onLogin(ctx);
    sent[0].onReply!([entry(6), entry(7)]); // 4 and 5 are missing
    expect(gaps).toEqual([]); // maybe a race: asks once more first
    expect(sent[1].args).toEqual(['msg-sync', '3']);
    sent[1].onReply!([entry(6), entry(7)]);
    expect(gaps).toEqual([[3, 5]]);
    expect(applied).toEqual([6, 7]);
    expect(c.cursor).toBe(7);
    // later messages are applied: the hole does not stall every later sync
    c.onPush(ctx, ['msg-psh', '8']);
    expect(sent.at(-1)!.args).toEqual(['msg-sync', '7']);
    sent.at(-1)!.onReply!([entry(8)]);
    expect(applied).toEqual([6, 7, 8]);
    expect(gaps).toHaveLength(1);
  });

  it('a permanent hole under a full page does not become a sync loop', () => {
    const { sent, gaps, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 2 });
    c.cursor = 3;
    c.onLogin(ctx);
    // a server that always answers with the same full page after the hole
    let syncs = 0;
    for (let i = 0; i < sent.length && syncs < 50; i++) {
      if (sent[i].args[0] !== 'msg-sync') continue;
      syncs++;
      const after = Number(sent[i].args[1]);
      sent[i].onReply!(after < 6 ? [entry(6), entry(7)] : []);
    }
    expect(syncs).toBe(3); // the first sight, once more, then from 7
    expect(gaps).toEqual([[3, 5]]);
    expect(c.cursor).toBe(7);
  });

  it('a push during a sync is not lost: one more sync follows', () => {
    const { sent, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.onLogin(ctx);
    c.onPush(ctx, ['msg-psh', '2']); // arrives while msg-sync 0 is under way
    expect(sent.length).toBe(1);
    sent[0].onReply!([entry(1)]);
    expect(sent.slice(1).map((s) => s.args)).toEqual([['msg-fin', 'v', '1'], ['msg-sync', '1']]);
  });

  it('ignores a push for a version it already applied, and pages on a full reply', () => {
    const { sent, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 2 });
    c.onLogin(ctx);
    sent[0].onReply!([entry(1), entry(2)]);
    expect(sent.map((s) => s.args[0])).toEqual(['msg-sync', 'msg-fin', 'msg-sync']);
    sent[2].onReply!([]);
    c.onPush(ctx, ['msg-psh', '2']);
    expect(sent.length).toBe(3);
  });

  it('on RESET <latest> (a store that was reset) reports the hole, moves its cursor back and syncs again', () => {
    const { sent, applied, gaps, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.cursor = 3;
    c.onLogin(ctx);
    sent[0].onReply!(reset(0));
    expect(gaps).toEqual([[0, 3]]);
    expect(c.cursor).toBe(0);
    expect(sent[1].args).toEqual(['msg-sync', '0']);
    // the versions given out next reuse the old numbers: they are applied, not ignored
    sent[1].onReply!([entry(1)]);
    expect(applied).toEqual([1]);
    c.onPush(ctx, ['msg-psh', '2']);
    expect(sent.at(-1)!.args).toEqual(['msg-sync', '1']);
  });

  it('a RESET that is not behind its cursor changes nothing and does not loop', () => {
    const { sent, gaps, ctx } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.cursor = 3;
    c.onLogin(ctx);
    sent[0].onReply!(reset(5));
    expect(gaps).toEqual([]);
    expect(c.cursor).toBe(3);
    expect(sent).toHaveLength(1);
  });

  it('periodic sync (syncIdleUs): a dropped msg-psh is fetched when the idle timer fires', () => {
    const { sent, applied, timers, fire, ctx, entry } = harness();
    const c = new VersionedClient({ pageSize: 10, syncIdleUs: 60_000_000 });
    c.onLogin(ctx);
    expect(timers.size).toBe(0); // not while a sync is under way
    sent[0].onReply!([]);
    expect([...timers.values()].map((t) => t.delayUs)).toEqual([60_000_000]);
    // version 1 is stored and its msg-psh is dropped on the way: nothing happens until the timer
    fire();
    expect(sent.at(-1)!.args).toEqual(['msg-sync', '0']);
    expect(timers.size).toBe(0);
    sent.at(-1)!.onReply!([entry(1)]);
    expect(applied).toEqual([1]);
    expect(timers.size).toBe(1); // armed again after the sync completed
    // a push restarts the wait: one timer at a time, none left behind by a disconnect
    c.onPush(ctx, ['msg-psh', '2']);
    expect(timers.size).toBe(0);
    sent.at(-1)!.onReply!([entry(2)]);
    expect(timers.size).toBe(1);
    c.onDisconnect();
    expect(timers.size).toBe(0);
  });

  it('without syncIdleUs a dropped msg-psh waits (no timer), and a bad syncIdleUs is refused', () => {
    const { sent, timers, ctx } = harness();
    const c = new VersionedClient({ pageSize: 10 });
    c.onLogin(ctx);
    sent[0].onReply!([]);
    expect(timers.size).toBe(0);
    expect(() => new VersionedClient({ syncIdleUs: -1 })).toThrow(/syncIdleUs must be .* >= 0/);
    expect(() => new VersionedClient({ syncIdleUs: 1.5 })).toThrow(RangeError);
  });
});
