// The World with the logic layer's capacity model: service times and store latency show in delivery
// times, a full queue answers BUSY (an error on the dashboard), a restart needs the model, and a run
// without the model is the very same run as before.
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor';
import { World, type WorldOptions } from '../../src/sim/world';

function chat(opts: Partial<WorldOptions>, n = 20) {
  const monitor = new Monitor();
  const w = new World({ protocol: 'versioned', seed: 3, monitor, ...opts });
  const alice = w.addClient('alice');
  const bob = w.addClient('bob');
  alice.start();
  bob.start();
  w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
  for (let i = 0; i < n; i++) w.send('alice', 'bob', `m${i}`);
  for (let t = 0; t < 60 && w.ledger.summary().applied < n; t++) w.runFor(1_000_000);
  w.runFor(2_000_000);
  return { w, monitor };
}

describe('World with a logic model', () => {
  it('slower workers and a slower store make delivery slower; nothing is lost', () => {
    const fast = chat({ logic: { workers: 4, service: { default: { dist: 'det', mean: 0.0001 } }, storeLatency: { dist: 'det', mean: 0.0001 } } });
    const slow = chat({ logic: { workers: 1, service: { default: { dist: 'det', mean: 0.02 } }, storeLatency: { dist: 'exp', mean: 0.05 } } });
    for (const r of [fast, slow]) expect(r.w.ledger.summary()).toMatchObject({ applied: 20, lost: 0, duplicates: 0, outOfOrder: 0 });
    expect(slow.w.ledger.summary().latencyP50Ms).toBeGreaterThan(fast.w.ledger.summary().latencyP50Ms + 100);
    expect(slow.w.logicModel!.report().perCommand.send.meanServiceMs).toBeCloseTo(20, 6);
  });

  it('a full queue refuses sends with BUSY, counted as errors; the client sends them again after its backoff, still online', () => {
    const { w, monitor } = chat({ logic: { workers: 1, queueLimit: 3, service: { default: { dist: 'det', mean: 0.01 } } } });
    const refused = w.logicModel!.stats.refused;
    expect(refused).toBeGreaterThan(0);
    expect(monitor.totals().error).toBe(refused);
    expect(w.client('alice').stats.sendRetries).toBe(refused); // every BUSY retried, none given up
    expect(w.client('alice').stats.connects).toBe(1); // no reconnect needed
    expect(w.client('alice').outbox.size).toBe(0);
    expect(w.ledger.summary()).toMatchObject({ applied: 20, lost: 0, duplicates: 0 });
  });

  it('restartLogic needs the model and refuses a second restart while down', () => {
    const plain = new World({ protocol: 'queue' });
    expect(() => plain.restartLogic(1000)).toThrow(/WorldOptions.logic/);
    const w = new World({ protocol: 'queue', logic: {} });
    w.restartLogic(1000);
    expect(() => w.restartLogic(1000)).toThrow(/already down/);
    w.runFor(2000);
    expect(w.restarts).toEqual([{ down: 0, up: 1000, retried: 0 }]);
  });

  it('is deterministic with the model', () => {
    const opts = { logic: { workers: 2, storeLatency: { dist: 'lognormal', mean: 0.001, cv: 1 } } } as const;
    expect(chat(opts).w.trace.fingerprint()).toBe(chat(opts).w.trace.fingerprint());
  });
});
