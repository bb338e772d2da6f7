// result(): a scenario's result over every world it ran -- each run reported with its own delivery, cost
// and fingerprint, and one fingerprint over them all (a single world keeps its own).
import { describe, expect, it } from 'vitest';
import { combinedFingerprint, result } from '../../../src/sim/scenarios/result';
import { runScenario } from '../../../src/sim/scenarios';
import { World } from '../../../src/sim/world';

function chat(seed: number, messages: number): World {
  const w = new World({ protocol: 'versioned', seed });
  w.addClient('alice').start();
  w.addClient('bob').start();
  w.runFor(1_000_000);
  for (let i = 0; i < messages; i++) w.send('alice', 'bob', `m${i}`);
  w.runFor(5_000_000);
  return w;
}

const o = { protocol: 'versioned' as const, seed: 1 };

describe('result() over the worlds a scenario ran', () => {
  it('one world: its own fingerprint, metrics and frames', () => {
    const w = chat(1, 3);
    const r = result('x', o, w, []);
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]).toMatchObject({ label: 'x', fingerprint: w.trace.fingerprint(), events: w.kernel.executed, world: w });
    expect(r.fingerprint).toBe(w.trace.fingerprint());
    expect(r.runs[0].metrics.delivery).toMatchObject({ sent: 3, unique: 3 });
    expect(r.runs[0].frames.bob['in msg-psh']).toBeGreaterThan(0);
  });

  it('several worlds: each reported, the fingerprint covers every one in order', () => {
    const a = chat(1, 3), b = chat(2, 5);
    const r = result('x', o, [{ label: 'three', world: a }, { label: 'five', world: b }], []);
    expect(r.runs.map((x) => [x.label, x.metrics.delivery.sent])).toEqual([['three', 3], ['five', 5]]);
    expect(r.events).toBe(a.kernel.executed + b.kernel.executed);
    expect(r.virtualMs).toBe((a.now + b.now) / 1000);
    expect(r.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(r.fingerprint).not.toBe(a.trace.fingerprint());
    expect(r.fingerprint).toBe(combinedFingerprint(r.runs));
    // a divergence in the second run, or another order, changes it
    expect(result('x', o, [{ label: 'three', world: a }, { label: 'five', world: chat(3, 5) }], []).fingerprint).not.toBe(r.fingerprint);
    expect(result('x', o, [{ label: 'five', world: b }, { label: 'three', world: a }], []).fingerprint).not.toBe(r.fingerprint);
  });

  it('refuses no world and labels that repeat', () => {
    expect(() => result('x', o, [], [])).toThrow(/at least one world/);
    const w = chat(1, 1);
    expect(() => result('x', o, [{ label: 'a', world: w }, { label: 'a', world: w }], [])).toThrow(/labels must differ/);
  });
});

describe('multi-run scenarios report every run', () => {
  it('S11: in band and over HTTP, each with its own delivery; the same seed gives the same fingerprint', async () => {
    const r = await runScenario('s11-voice', o);
    expect(r.runs.map((x) => x.label)).toEqual(['voice in band', 'voice over HTTP']);
    expect(r.runs.map((x) => x.metrics.delivery.sent)).toEqual([4, 4]);
    expect(r.runs[0].fingerprint).not.toBe(r.runs[1].fingerprint);
    expect((await runScenario('s11-voice', o)).fingerprint).toBe(r.fingerprint);
  });

  it('S3 versioned runs the correct and the naive client; the queue protocol only the correct one (its own fingerprint)', async () => {
    const v = await runScenario('s3-push-during-sync', o);
    expect(v.runs.map((x) => x.label)).toEqual(['correct client', 'naive client']);
    expect(v.runs[1].metrics.delivery.lost).toBeGreaterThan(0);
    const q = await runScenario('s3-push-during-sync', { ...o, protocol: 'queue' });
    expect(q.runs.map((x) => x.label)).toEqual(['correct client']);
    expect(q.fingerprint).toBe(q.runs[0].fingerprint);
  });
});
