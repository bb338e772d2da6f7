import { describe, expect, it } from 'vitest';
import { mmc, waitQuantile } from '../../src/capacity/erlang';
import { KIB, PLAN_DEFAULTS, PLAN_PARAMS, PlanInputError, formatBytes, planAssumptions, planCapacity, planRows } from '../../src/capacity/plan';

describe("the deck's estimate", () => {
  const plan = planCapacity();

  it('12M connections, 700k tested per server, run at 50% -> 35 servers', () => {
    expect(PLAN_DEFAULTS.connections).toBe(12_000_000);
    expect(PLAN_DEFAULTS.perServerTested).toBe(700_000);
    expect(PLAN_DEFAULTS.utilisation).toBe(0.5);
    expect(plan.connection.exact).toBeCloseTo(34.2857, 4);
    expect(plan.connection.servers).toBe(35);
    expect(plan.connection.total).toBe(35);
  });

  it('rounds up: 34 servers would break the 50% rule, 35 keep it', () => {
    expect(12_000_000 / 34 / 700_000).toBeGreaterThan(0.5);
    expect(plan.connection.utilisation).toBeLessThanOrEqual(0.5);
    expect(plan.connection.perServer).toBeCloseTo(342_857.14, 1);
    expect(plan.connection.utilisationOneDown).toBeCloseTo(12_000_000 / 34 / 700_000, 12);
  });

  it('does not round an exact quotient up', () => {
    expect(planCapacity({ connections: 7_000_000 }).connection.servers).toBe(20);
    expect(planCapacity({ connections: 7_000_001 }).connection.servers).toBe(21);
  });

  it('memory from design.md §8: 4.0 KiB kernel + 3.5 KiB process per connection', () => {
    expect(plan.connection.kernelBytesPerServer).toBeCloseTo(plan.connection.perServer * 4 * KIB, 3);
    expect(plan.connection.processBytesPerServer).toBeCloseTo(plan.connection.perServer * 3.5 * KIB, 3);
    expect(plan.connection.bytesPerServerAtTested).toBe(700_000 * 7.5 * KIB);
    expect(formatBytes(plan.connection.bytesPerServerAtTested)).toBe('5.0 GiB');
    expect(plan.connection.fleetBytes).toBe(12_000_000 * 7.5 * KIB);
  });

  it('logic workers: the smallest c meeting the wait target at the derived peak rate', () => {
    const l = plan.logic;
    expect(l.messagesPerSecond).toBeCloseTo((500_000_000 / 86_400) * 2, 6);
    expect(l.offered).toBeCloseTo(l.messagesPerSecond / 1000, 9);
    // 99% wait <= 10 ms with c; not with c - 1.
    expect(waitQuantile(l.messagesPerSecond, 1000, l.workers, 0.99)).toBeLessThanOrEqual(0.01);
    expect(waitQuantile(l.messagesPerSecond, 1000, l.workers - 1, 0.99)).toBeGreaterThan(0.01);
    expect(l.workers).toBe(13);
    expect(l.servers).toBe(2);
  });

  it('store: messages per day × retention × bytes', () => {
    expect(plan.store.messagesKept).toBe(500_000_000 * 7);
    expect(plan.store.bytes).toBe(500_000_000 * 7 * 200);
    expect(plan.store.cappedByHistory).toBe(false);
  });
});

describe('flags change the plan', () => {
  it('N+1 adds a server; the others then stay within the rule with one down', () => {
    const p = planCapacity({ spareServers: 1 });
    expect(p.connection.servers).toBe(35);
    expect(p.connection.total).toBe(36);
    expect(p.connection.utilisationOneDown).toBeLessThanOrEqual(0.5);
  });

  it('utilisation and connections move the server count as the arithmetic says', () => {
    expect(planCapacity({ utilisation: 0.8 }).connection.servers).toBe(22);
    expect(planCapacity({ utilisation: 1 }).connection.servers).toBe(18);
    expect(planCapacity({ connections: 30_000_000 }).connection.servers).toBe(86);
    expect(planCapacity({ perServerTested: 1_000_000 }).connection.servers).toBe(24);
  });

  it('a mean-wait target sizes by Wq', () => {
    const p = planCapacity({ messagesPerSecond: 50_000, waitMs: 0.5, waitPercentile: 'mean' });
    expect(p.logic.messagesPerSecond).toBe(50_000);
    expect(mmc(50_000, 1000, p.logic.workers).Wq).toBeLessThanOrEqual(0.0005);
    expect(mmc(50_000, 1000, p.logic.workers - 1).Wq).toBeGreaterThan(0.0005);
    expect(p.logic.target).toBe('mean wait <= 0.5 ms');
  });

  it('more traffic or slower work needs more workers', () => {
    const base = planCapacity().logic.workers;
    expect(planCapacity({ peakFactor: 4 }).logic.workers).toBeGreaterThan(base);
    expect(planCapacity({ serviceMs: 2 }).logic.workers).toBeGreaterThan(base);
    expect(planCapacity({ waitMs: 1, waitPercentile: 99.9 }).logic.workers).toBeGreaterThanOrEqual(base);
  });

  it('a per-user history cap bounds the store when it is the smaller', () => {
    const p = planCapacity({ maxHistory: 20 });
    expect(p.store.messagesKept).toBe(80_000_000 * 20);
    expect(p.store.cappedByHistory).toBe(true);
    expect(planCapacity({ maxHistory: 1000 }).store.cappedByHistory).toBe(false);
  });
});

describe('bad inputs', () => {
  it.each([
    [{ connections: 0 }, 'connections'],
    [{ connections: 1.5 }, 'connections'],
    [{ perServerTested: -1 }, 'perServerTested'],
    [{ utilisation: 0 }, 'utilisation'],
    [{ utilisation: 50 }, 'utilisation'],
    [{ spareServers: -1 }, 'spareServers'],
    [{ serviceMs: 0 }, 'serviceMs'],
    [{ waitPercentile: 100 }, 'waitPercentile'],
    [{ messageBytes: Number.NaN }, 'messageBytes'],
  ] as const)('%j is refused, naming its field', (bad, field) => {
    let err: unknown;
    try {
      planCapacity(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanInputError);
    expect((err as PlanInputError).field).toBe(field);
  });

  it('an unknown input is refused', () => {
    expect(() => planCapacity({ conections: 5 } as never)).toThrow(/unknown plan input 'conections'/);
  });
});

describe('what it prints', () => {
  it('every input has a flag, a default and a source', () => {
    const keys = Object.keys(PLAN_DEFAULTS).sort();
    expect(PLAN_PARAMS.map((p) => p.key).sort()).toEqual(keys);
    for (const p of PLAN_PARAMS) expect(p.source.length).toBeGreaterThan(5);
    expect(new Set(PLAN_PARAMS.map((p) => p.flag)).size).toBe(PLAN_PARAMS.length);
  });

  it("assumptions cite the deck for its three figures, and say which inputs were given", () => {
    const a = planAssumptions(planCapacity({ retentionDays: 3 }));
    expect(a.find((r) => r.parameter === '--connections')!.source).toContain('1200万');
    expect(a.find((r) => r.parameter === '--per-server')!.source).toContain('70万');
    expect(a.find((r) => r.parameter === '--utilisation')!.source).toContain('50%');
    expect(a.find((r) => r.parameter === '--retention-days')!.source).toBe('given (default 7)');
  });

  it('the result rows state the rounding', () => {
    const rows = planRows(planCapacity());
    expect(rows[0]).toEqual({
      quantity: 'connection servers (estimate)',
      value: '35',
      how: '⌈12,000,000 / (700,000 × 0.5)⌉ = ⌈34.29⌉, rounded up',
    });
  });
});
