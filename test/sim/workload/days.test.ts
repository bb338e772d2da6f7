// Two simulated days with the deck's monitoring attached: the invariants hold every hour and at rest,
// "yesterday" exists, the day has its shape, platforms and message kinds are counted as they were made.
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../src/monitor/monitor';
import { simulateDays } from '../../../src/sim/workload';

const HOUR = 3_600_000_000;

describe('two simulated days with the monitor', () => {
  const run = simulateDays({ users: 120, hours: 46, settleUs: 2 * HOUR, seed: 11 });
  const { world, monitor, population } = run;

  it('keeps every invariant at every hourly check and at rest', () => {
    expect(run.checks).toBe(47);
    expect(run.violations).toEqual([]);
  });

  it('counts sessions per platform as the users declared them', () => {
    // at rest everyone has gone offline; the history shows the platforms while they were online
    const seen = Object.fromEntries(PLATFORMS.map((p) => [p, Math.max(...monitor.series(p).map((s) => s.value))]));
    const declared = new Set(population.users.map((u) => u.platform));
    for (const p of PLATFORMS) expect(seen[p] > 0).toBe(declared.has(p));
    expect(monitor.current('tot-ses')).toBe(0);
    // every connection was an app opening: no drops, no reconnects on these links
    expect([...world.clients.values()].reduce((a, c) => a + c.stats.connects, 0)).toBe(population.stats.opens);
  });

  it('counts text and image messages as they were sent; images went over HTTP first', () => {
    expect(monitor.messageTotal('text')).toBe(population.stats.text);
    expect(monitor.messageTotal('image')).toBe(population.stats.images);
    expect(population.stats.images).toBeGreaterThan(0);
    for (const u of population.stats.uploads) expect(u.sentUs).toBeGreaterThan(u.startUs);
    // (messages to users who stayed offline wait in the store: not applied yet, not lost)
    expect(world.ledger.summary()).toMatchObject({ duplicates: 0, outOfOrder: 0 });
  });

  it('has a yesterday, and the day has its shape (evening busier than before dawn)', () => {
    const text = monitor.messageSeries('text');
    const day2 = text.filter((p) => p.t >= 24 * HOUR && p.t < 46 * HOUR);
    const hourOf = (t: number) => Math.floor((t % (24 * HOUR)) / HOUR);
    const sum = (hs: number[]) => day2.filter((p) => hs.includes(hourOf(p.t))).reduce((a, p) => a + p.value, 0);
    expect(sum([20, 21])).toBeGreaterThan(3 * sum([3, 4]));
  });

  it('is deterministic', () => {
    const again = simulateDays({ users: 120, hours: 46, settleUs: 2 * HOUR, seed: 11 });
    expect(again.world.trace.fingerprint()).toBe(world.trace.fingerprint());
  });

  it('a logic-layer restart shows on the dashboard as cmdq and htime, never as lost sessions', () => {
    const at = 45 * HOUR;
    const r = simulateDays({ users: 120, hours: 46, seed: 11, restart: { at, downUs: 20_000_000 } });
    const calm = simulateDays({ users: 120, hours: 46, seed: 11 });
    expect(r.violations).toEqual([]);
    // today (until 22:00) against the same period yesterday
    const today = r.monitor.messageStats().find((s) => s.kind === 'text' && s.window === 'today')!;
    expect(today.now).toBeGreaterThan(0);
    expect(today.ratio).toBeGreaterThan(0.8);
    expect(today.ratio).toBeLessThan(1.25);
    const minute = (s: { t: number }[]) => s.findIndex((p) => p.t === at);
    const cmdq = r.monitor.series('cmdq');
    const htime = r.monitor.series('htime');
    const tot = r.monitor.series('tot-ses');
    const i = minute(cmdq);
    expect(cmdq[i].value).toBeGreaterThan(Math.max(...cmdq.slice(i - 30, i).map((p) => p.value)));
    expect(htime[i].value).toBeGreaterThan(0);
    expect(tot[i + 1].value).toBeGreaterThanOrEqual(tot[i - 1].value - 3); // sessions come and go; no cliff
    // no client reconnected because of it: as many connects as in the same two days without the restart
    const connects = (w: typeof r.world) => [...w.clients.values()].reduce((a, c) => a + c.stats.connects, 0);
    expect(connects(r.world)).toBe(connects(calm.world));
  });
});
