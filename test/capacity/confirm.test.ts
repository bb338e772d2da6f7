import { describe, expect, it } from 'vitest';
import { runConnectionFarm, type ConnectionFarmOptions } from '../../src/capacity/connections';
import { confirmPlan } from '../../src/capacity/confirm';
import { planCapacity } from '../../src/capacity/plan';

const farm: ConnectionFarmOptions = { clients: 3000, servers: 10, limit: 600, balancer: 'least-loaded', duration: 600, seed: 1 };

describe('connection farm', () => {
  it('least-loaded keeps the servers within a few connections of each other', () => {
    // Drops hit servers at random; each new connection goes to the emptiest, which pulls them back together.
    const r = runConnectionFarm(farm);
    expect(r.refused).toBe(0);
    const steady = r.series.filter((p) => p.t >= 60);
    for (const p of steady) expect(p.max - p.min).toBeLessThanOrEqual(8);
    expect(r.meanOnline).toBeGreaterThan(3000 * 0.97); // ~1% offline at any time (5 s of every 600)
    expect(r.meanOnline).toBeLessThanOrEqual(3000);
  });

  it('round-robin and random spread wider than least-loaded under churn', () => {
    const spread = (b: ConnectionFarmOptions['balancer']) => {
      const r = runConnectionFarm({ ...farm, balancer: b });
      return Math.max(...r.series.filter((p) => p.t >= 60).map((p) => p.max - p.min));
    };
    const ll = spread('least-loaded');
    // Balancers that ignore load let each count wander like a Poisson variable (sd ≈ √300 ≈ 17).
    expect(spread('round-robin')).toBeGreaterThan(ll * 4);
    expect(spread('random')).toBeGreaterThan(ll * 4);
  });

  it("a failed server's clients move to the others", () => {
    const r = runConnectionFarm({ ...farm, failAt: 300 });
    const after = r.series.filter((p) => p.t >= 330);
    for (const p of after) expect(p.mean).toBeGreaterThan((3000 / 9) * 0.97); // 9 servers left share them all
    expect(r.peakAfterFailure).toBeGreaterThan(r.peakBeforeFailure);
    expect(r.refused).toBe(0);
  });

  it('refuses connections beyond the limit, and the refused clients retry', () => {
    const r = runConnectionFarm({ ...farm, limit: 320, failAt: 300 }); // 3000 / 9 = 333 > 320
    expect(r.refused).toBeGreaterThan(0);
    expect(r.peak).toBeLessThanOrEqual(320);
    const last = r.series[r.series.length - 1];
    expect(last.online).toBeLessThanOrEqual(9 * 320);
  });

  it('a server that comes back takes connections again (least-loaded fills it)', () => {
    const r = runConnectionFarm({ ...farm, failAt: 200, downFor: 60, duration: 900 });
    expect(r.peakPerServer[0]).toBeGreaterThan(0);
    expect(r.series[r.series.length - 1].min).toBeGreaterThan(100);
  });

  it('is deterministic and rejects bad options', () => {
    expect(runConnectionFarm({ ...farm, balancer: 'random' })).toEqual(runConnectionFarm({ ...farm, balancer: 'random' }));
    expect(() => runConnectionFarm({ ...farm, balancer: 'dns' as never })).toThrow(/balancer/);
    expect(() => runConnectionFarm({ ...farm, servers: 1, failAt: 10 })).toThrow(/at least 2 servers/);
    expect(() => runConnectionFarm({ ...farm, limit: 0 })).toThrow(/limit/);
  });
});

describe("confirming the deck's plan at 1/1000", () => {
  const plan = planCapacity();
  const c = confirmPlan(plan, { messages: 100_000 });

  it('scales users and per-server figures, keeps the servers', () => {
    expect(c.clients).toBe(12_000);
    expect(c.limit).toBe(700);
    expect(c.ruleLimit).toBe(350);
    expect(c.servers).toBe(35);
  });

  it('holds: nothing refused, no server over its limit even with one down, the wait target met', () => {
    expect(c.checks.filter((k) => !k.ok)).toEqual([]);
    expect(c.holds).toBe(true);
    expect(c.connection.refused).toBe(0);
    expect(c.connection.peak).toBeLessThanOrEqual(700);
    expect(c.connection.peakAfterFailure).toBeGreaterThan(c.connection.peakBeforeFailure); // 34 servers share the load
    expect(c.logic.workers).toBe(plan.logic.workers);
  });

  it('the simulated logic queue agrees with Erlang C, and one worker fewer misses the target', () => {
    expect(Math.abs(c.logic.meanWaitMs / c.logic.closedForm.meanWaitMs - 1)).toBeLessThan(0.15);
    expect(c.logicOneFewer).not.toBeNull();
    expect(c.logicOneFewer!.waitAtTargetMs).toBeGreaterThan(plan.inputs.waitMs);
  });

  it('a plan run at 100% of the tested figure fails when a server dies: its clients find no room', () => {
    const hot = confirmPlan(planCapacity({ utilisation: 1 }), { messages: 20_000 });
    expect(hot.servers).toBe(18);
    expect(hot.connection.refused).toBeGreaterThan(0);
    expect(hot.holds).toBe(false);
    expect(hot.checks.find((k) => k.name === 'no connection refused')!.ok).toBe(false);
  });

  it('a logic layer sized for a mean wait is checked on the mean', () => {
    const p = planCapacity({ messagesPerSecond: 5000, waitMs: 0.3, waitPercentile: 'mean' });
    const r = confirmPlan(p, { messages: 100_000, failAt: null, duration: 300 });
    expect(r.failAt).toBeNull();
    expect(r.logic.waitAtTargetMs).toBeCloseTo(r.logic.meanWaitMs, 9);
    expect(r.logic.waitAtTargetMs).toBeLessThan(0.3 * 1.1);
  });

  it('refuses a scale that leaves nothing', () => {
    expect(() => confirmPlan(plan, { scale: 1e9 })).toThrow(/leaves nothing/);
    expect(() => confirmPlan(plan, { scale: 0.5 })).toThrow(/scale/);
  });
});
