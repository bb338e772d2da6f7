import { describe, expect, it } from 'vitest';
import { runConnectionLayer, type RestartPlan } from '../../../src/sim/connection-layer';
import { diurnalCurve } from '../../../src/sim/workload';

const base = { clients: 8000, servers: 8, server: { limit: 4000, acceptRate: 2000, backlog: 512 }, seed: 1, seconds: 900 };
const run = (p: RestartPlan | null) => runConnectionLayer({ ...base, restarts: p ? [p] : [] });

describe('restart policies on 8 servers × 1000 clients (exponential backoff)', () => {
  const never = run(null);
  const hard = run({ policy: 'hard', at: 60, downtime: 10 });
  const drain = run({ policy: 'drain', at: 60, downtime: 10, window: 30 });
  const rolling = run({ policy: 'rolling', at: 60, downtime: 10 });

  it('never restarting: nobody reconnects', () => {
    expect(never.totals.attempts).toBe(0);
    expect(Math.min(...never.series.sessions)).toBe(8000);
    expect(never.restarts).toEqual([]);
  });

  it('hard: everyone is cut at once, then a storm of accepts', () => {
    const r = hard.restarts[0];
    expect(r.cut).toBe(8000);
    expect(r.minSessions).toBe(0);
    expect(r.end).toBe(70);
    expect(r.reconnected99).not.toBeNull();
    expect(r.reconnected99!).toBeGreaterThan(10); // nobody gets in while the servers are down
    expect(hard.peaks.acceptsPerS).toBeGreaterThan(1000);
    expect(hard.series.sessions.at(-1)).toBe(8000);
  });

  it('drain: one server at a time, connections closed over the window — no storm, almost nobody offline', () => {
    const r = drain.restarts[0];
    expect(r.end! - r.start).toBeCloseTo(8 * (30 + 10), 6);
    expect(r.minSessions).toBeGreaterThan(0.98 * 8000);
    expect(drain.peaks.acceptsPerS * 10).toBeLessThan(hard.peaks.acceptsPerS);
    expect(drain.totals.refused).toBe(0);
    expect(r.cut).toBeGreaterThanOrEqual(8000); // some are moved twice: drained onto a server drained later
    expect(r.reconnected99).not.toBeNull();
  });

  it('rolling: one server cut at a time, the next only when the layer is back', () => {
    const r = rolling.restarts[0];
    expect(r.minSessions).toBeGreaterThan(0.8 * 8000);
    expect(r.minSessions).toBeLessThan(0.9 * 8000); // one server's 1000 clients are out at a time
    expect(r.end! - r.start).toBeGreaterThanOrEqual(8 * 10);
    expect(rolling.peaks.acceptsPerS).toBeLessThan(hard.peaks.acceptsPerS);
    expect(r.reconnected99).not.toBeNull();
    expect(rolling.series.sessions.at(-1)).toBe(8000);
  });
});

describe('a day with users coming and going (diurnal)', () => {
  const day = { clients: 5000, servers: 4, server: { limit: 4000, acceptRate: 2000, backlog: 512 }, seed: 1, seconds: 86_400,
    diurnal: { peakOnline: 0.8 } };
  const atPeak = runConnectionLayer({ ...day, restarts: [{ policy: 'hard', at: 21 * 3600, downtime: 10 }] });
  const atNight = runConnectionLayer({ ...day, restarts: [{ policy: 'night', at: 0, downtime: 10 }] });

  it('sessions follow the curve', () => {
    const s = atNight.series.sessions;
    for (const h of [12, 21]) {
      const want = 0.8 * diurnalCurve().relative(h * 3600e6) * 5000;
      expect(Math.abs(s[h * 3600 - 1] / want - 1)).toBeLessThan(0.1);
    }
    expect(s[4 * 3600 - 1]).toBeLessThan(0.25 * s[21 * 3600 - 1]);
  });

  it("'night' waits for the trough, and cuts a fraction of what a restart at the peak does", () => {
    expect(atNight.restarts[0].start).toBe(diurnalCurve().troughUs / 1e6);
    expect(atNight.restarts[0].cut * 4).toBeLessThan(atPeak.restarts[0].cut);
    expect(atNight.peaks.acceptsPerS * 3).toBeLessThan(atPeak.peaks.acceptsPerS);
    // Users who leave while reconnecting are not owed a reconnect; the rest all come back.
    for (const r of [atNight.restarts[0], atPeak.restarts[0]]) {
      expect(r.reconnected99).not.toBeNull();
      expect(r.back + r.left).toBeGreaterThanOrEqual(0.99 * r.cut);
    }
  });
});

describe('errors that say what to do', () => {
  it('rejects bad options', () => {
    expect(() => runConnectionLayer({ clients: 10, servers: 1, seconds: 10, restarts: [{ policy: 'night', at: 0 }] })).toThrow(/diurnal/);
    expect(() => runConnectionLayer({ clients: 10, servers: 1, seconds: 10, restarts: [{ policy: 'reboot' as never, at: 0 }] })).toThrow(/hard, drain, rolling, night/);
    expect(() => runConnectionLayer({ clients: 10, servers: 1, seconds: 10, reconnect: 'sometimes' })).toThrow(/known: fixed, phoenix/);
    expect(() => runConnectionLayer({ clients: 10, servers: 1, seconds: 10, restarts: [{ policy: 'hard', at: 1, servers: [3] }] })).toThrow(/no server 3/);
    expect(() => runConnectionLayer({ clients: 0, servers: 1, seconds: 10 })).toThrow(/clients/);
    expect(() => runConnectionLayer({ clients: 10, servers: 1, seconds: 10, server: { acceptRate: 0 } })).toThrow(/acceptRate/);
  });
});
