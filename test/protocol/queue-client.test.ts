import { describe, expect, it } from 'vitest';
import type { ClientCtx } from '../../src/protocol/client-half';
import { encodeMsgSend, type StoredMsg } from '../../src/protocol/messages';
import { QueueClient } from '../../src/protocol/queue-client';

function harness() {
  const sent: string[][] = [];
  const applied: number[] = [];
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  const ctx: ClientCtx = {
    request: (args) => void sent.push(args),
    apply: (m) => void applied.push(m.id),
    gap: () => {},
    setTimer: (_d, fn) => (timers.set(nextTimer, fn), nextTimer++),
    clearTimer: (id) => void timers.delete(id),
  };
  const push = (...ids: number[]) =>
    encodeMsgSend(ids.map((id): StoredMsg => ({ id, from: 'alice', cmid: `alice-d1-${id}`, body: `m${id}` })));
  return { sent, applied, ctx, push, timers };
}

describe('QueueClient', () => {
  it('applies every message of a msg-send and acks them in one msg-recv', () => {
    const { sent, applied, ctx, push } = harness();
    const q = new QueueClient();
    q.onPush(ctx, push(3, 4, 5, 6));
    expect(applied).toEqual([3, 4, 5, 6]);
    expect(sent).toEqual([['msg-recv', '3', '4', '5', '6']]);
  });

  it('batches acks by count', () => {
    const { sent, ctx, push } = harness();
    const q = new QueueClient({ ackEvery: 3 });
    q.onPush(ctx, push(1));
    q.onPush(ctx, push(2));
    expect(sent).toEqual([]);
    q.onPush(ctx, push(3));
    expect(sent).toEqual([['msg-recv', '1', '2', '3']]);
  });

  it('batches acks by timer', () => {
    const { sent, ctx, push, timers } = harness();
    const q = new QueueClient({ ackEvery: 10, ackDelayUs: 50_000 });
    q.onPush(ctx, push(1));
    q.onPush(ctx, push(2));
    expect(timers.size).toBe(1);
    [...timers.values()][0]();
    expect(sent).toEqual([['msg-recv', '1', '2']]);
  });

  it('a cut loses the waiting acks (the server will send those again) and applies resends again', () => {
    const { applied, ctx, push } = harness();
    const q = new QueueClient({ ackEvery: 3 });
    q.onPush(ctx, push(1, 2));
    q.onDisconnect();
    expect(q.unackedAtCuts).toBe(2);
    q.onPush(ctx, push(1, 2));
    expect(applied).toEqual([1, 2, 1, 2]);
  });
});
