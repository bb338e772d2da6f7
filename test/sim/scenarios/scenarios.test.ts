// Every named scenario, both protocols, from a fixed seed: its stated outcome holds.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../src/protocol/messages';
import { SCENARIOS, runScenario } from '../../../src/sim/scenarios';

describe.each(Object.keys(SCENARIOS))('scenario %s', (name) => {
  it.each(PROTOCOLS)('%s protocol: the stated outcome holds', async (protocol) => {
    const r = await runScenario(name, { protocol, seed: 1 });
    expect(r.checks.length).toBeGreaterThan(0);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });
});

describe('scenario outcomes in numbers (seed 1)', () => {
  it('S1: queue duplicates happen and are all explained; versioned has none', async () => {
    const q = await runScenario('s1-flaky', { protocol: 'queue', seed: 1, messages: 300 });
    const v = await runScenario('s1-flaky', { protocol: 'versioned', seed: 1, messages: 300 });
    expect(q.runs[0].metrics.delivery.duplicates).toBeGreaterThan(0);
    expect(q.runs[0].world.queueDuplicates.unexplained).toBe(0);
    expect(q.runs[0].metrics.delivery.duplicates).toBe(q.runs[0].world.queueDuplicates.owedAndApplied);
    expect(v.runs[0].metrics.delivery).toMatchObject({ duplicates: 0, lost: 0, outOfOrder: 0, unique: 300 });
  });

  it('S3: the naive client is caught skipping', async () => {
    const r = await runScenario('s3-push-during-sync', { protocol: 'versioned', seed: 1 });
    expect(Number(r.rows[1].lost)).toBeGreaterThan(0);
    expect(Number(r.rows[0].lost)).toBe(0);
  });

  it('S4: versioned reports exactly what is gone; the queue protocol refuses what its List cannot hold', async () => {
    const v = await runScenario('s4-trimmed', { protocol: 'versioned', seed: 1 });
    const q = await runScenario('s4-trimmed', { protocol: 'queue', seed: 1 });
    expect(v.runs[0].metrics.delivery).toMatchObject({ lost: 150, reportedGone: 150 });
    expect(q.runs[0].metrics.delivery).toMatchObject({ lost: 0, reportedGone: 0 });
    expect(q.runs[0].world!.logic.stats.refused).toBeGreaterThanOrEqual(150);
  });

  it('S10: Mars learns an interval under the 5-minute NAT', async () => {
    const r = await runScenario('s10-heartbeat-nat', { protocol: 'versioned', seed: 1 });
    const mars = r.rows.find((x) => x.heartbeat === 'mars')!;
    expect(Number(mars['final interval (min)'])).toBeLessThan(5);
    expect(Number(mars['final interval (min)'])).toBeGreaterThanOrEqual(3.5);
  });
});

describe('determinism across the network model', () => {
  it('same seed, same fingerprint; another seed, another fingerprint', async () => {
    const a = await runScenario('s1-flaky', { protocol: 'versioned', seed: 5, messages: 100 });
    const b = await runScenario('s1-flaky', { protocol: 'versioned', seed: 5, messages: 100 });
    const c = await runScenario('s1-flaky', { protocol: 'versioned', seed: 6, messages: 100 });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.events).toBe(b.events);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });
});
