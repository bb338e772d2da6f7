import { describe, expect, it } from 'vitest';
import { runScenario, SCENARIOS } from '../../../src/sim/scenarios';
import { runS5, S5_BACKOFFS } from '../../../src/sim/scenarios/s5-reconnect-storm';
import { World } from '../../../src/sim/world';

describe('S5: reconnect storm after a connection-layer restart', () => {
  it('is registered, and its stated outcome holds from seed 1', async () => {
    expect(SCENARIOS['s5-reconnect-storm']).toBeDefined();
    const r = await runScenario('s5-reconnect-storm', { protocol: 'versioned', seed: 1 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.length).toBeGreaterThanOrEqual(5);
    expect(r.rows.map((x) => x.backoff)).toEqual([...S5_BACKOFFS]);
  });

  it('orderings: jittered exponential far below fixed and stepped; all get 99% back; jitter costs time', () => {
    const runs = runS5(new World({ protocol: 'versioned', seed: 3 }));
    const by = Object.fromEntries(runs.map((x) => [x.backoff, x.result]));
    const { fixed, phoenix, exponential, mars } = by;
    for (const r of runs) {
      expect(r.result.restarts[0].cut).toBe(40_000);
      expect(r.result.restarts[0].reconnected99).not.toBeNull();
      expect(r.result.totals.logins).toBe(40_000);
    }
    expect(exponential.peaks.acceptsPerS * 3).toBeLessThan(fixed.peaks.acceptsPerS);
    expect(exponential.peaks.logicQps * 3).toBeLessThan(fixed.peaks.logicQps);
    expect(phoenix.peaks.acceptsPerS).toBeGreaterThan(1.5 * exponential.peaks.acceptsPerS);
    expect(fixed.totals.refused).toBeGreaterThan(3 * exponential.totals.refused);
    // Stepped retries many times in its first second: the most connection attempts of all.
    expect(phoenix.peaks.attemptsPerS).toBeGreaterThan(fixed.peaks.attemptsPerS);
    // Mars waits 15-35 s before its first attempt: the gentlest and the slowest.
    expect(mars.peaks.acceptsPerS).toBeLessThan(exponential.peaks.acceptsPerS);
    const t = (x: typeof fixed) => x.restarts[0].reconnected99!;
    expect(t(fixed)).toBeLessThan(t(exponential));
    expect(t(exponential)).toBeLessThan(t(mars));
    // Nobody gets in while the servers are down (30 s).
    for (const r of runs) expect(t(r.result)).toBeGreaterThan(30);
  });

  it('same seed, same fingerprint and results; another seed, another (at 1/10 the size)', () => {
    const small = { clients: 4000, server: { limit: 2000, acceptRate: 1000, backlog: 128 }, seconds: 200 };
    const go = (seed: number) => {
      const world = new World({ protocol: 'queue', seed });
      const runs = runS5(world, small);
      return { fingerprint: world.trace.fingerprint(), runs };
    };
    const a = go(5), b = go(5), c = go(6);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.runs).toEqual(b.runs);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(a.runs.every((r) => r.result.fingerprint === a.fingerprint)).toBe(true);
  });
});
