import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionLayer, runConnectionLayer, type ConnectionLayerOptions, type RestartPlan } from '../../../src/sim/connection-layer';
import { Kernel } from '../../../src/sim/kernel';

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

/** The model's books must agree with a recount of its rows at any moment. */
function audit(layer: ConnectionLayer, o: { clients: number }): void {
  const c = layer.census();
  expect(c.off + c.waiting + c.connecting + c.queued + c.loggingIn + c.online).toBe(o.clients);
  expect(c.serverSum).toBe(c.connections);
  expect(c.connections).toBe(c.loggingIn + c.online);
  expect(c.sessions).toBe(c.online);
  expect(layer.online).toBe(c.online);
}

describe('connection layer model', () => {
  it('is deterministic: same seed, same result and trace fingerprint; another seed differs', () => {
    const o: ConnectionLayerOptions & { seconds: number } = {
      clients: 3000, servers: 3, server: { acceptRate: 500, backlog: 64 }, rampUp: 5, meanConnection: 120, seconds: 200, seed: 7,
      restarts: [{ policy: 'hard', at: 100, downtime: 3 }],
    };
    const a = runConnectionLayer(o);
    const b = runConnectionLayer(o);
    expect(a).toEqual(b);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(runConnectionLayer({ ...o, seed: 8 }).fingerprint).not.toBe(a.fingerprint);
  });

  it('idle clients heartbeat once per interval and never reach the logic layer', () => {
    const layer = new ConnectionLayer({ clients: 2000, servers: 4, heartbeat: 'fixed-30s', seed: 1 });
    const r = layer.run(300);
    // Connected at t = 0 with a uniform heartbeat phase: 9 or 10 heartbeats each in 300 s.
    expect(r.totals.heartbeats).toBeGreaterThanOrEqual(9 * 2000);
    expect(r.totals.heartbeats).toBeLessThanOrEqual(10 * 2000);
    expect(r.totals.logicRequests).toBe(0);
    expect(r.totals.attempts).toBe(0);
    expect(Math.min(...r.series.sessions)).toBe(2000);
    expect(r.peakPerServer).toEqual([500, 500, 500, 500]); // least-loaded
    // CPU per heartbeat: ~67 heartbeats/s on a server × 5 µs over 8 cores.
    expect(r.peaks.cpu).toBeGreaterThan(0);
    expect(r.peaks.cpu).toBeLessThan(1e-3);
    expect(r.peaks.serverMemMiB).toBeCloseTo((500 * 7.5) / 1024, 9);
    audit(layer, { clients: 2000 });
  });

  it('accepts at most acceptRate a second; a full backlog refuses, and everyone gets in', () => {
    const layer = new ConnectionLayer({ clients: 6000, servers: 1, server: { acceptRate: 1000, backlog: 200 }, rampUp: 1, reconnect: 'exponential', seed: 2 });
    const r = layer.run(120);
    expect(max(r.series.accepts)).toBeLessThanOrEqual(1001);
    expect(max(r.series.accepts)).toBeGreaterThanOrEqual(990);
    expect(r.totals.refused).toBeGreaterThan(0);
    expect(r.peaks.backlog).toBeLessThanOrEqual(200);
    expect(r.series.sessions.at(-1)).toBe(6000);
    expect(r.totals.logins).toBe(6000);
    expect(r.totals.logicRequests).toBe(2 * 6000); // AUTH + first sync
    audit(layer, { clients: 6000 });
  });

  it('a connection left in the backlog past the connect timeout fails; the server later pops it abandoned', () => {
    const layer = new ConnectionLayer({ clients: 400, servers: 1, server: { acceptRate: 20, backlog: 10_000 }, rampUp: 1, connectTimeout: 5, reconnect: 'fixed', seed: 3 });
    const r = layer.run(120);
    expect(r.totals.failed).toBeGreaterThan(0);
    expect(r.totals.abandoned).toBeGreaterThan(0);
    expect(r.totals.refused).toBe(0);
    expect(max(r.series.accepts)).toBeLessThanOrEqual(21);
    audit(layer, { clients: 400 });
  });

  it('never holds more than the limit per server', () => {
    const layer = new ConnectionLayer({ clients: 150, servers: 1, server: { limit: 100 }, rampUp: 2, seed: 4 });
    const r = layer.run(60);
    expect(r.peaks.serverConnections).toBe(100);
    expect(r.totals.refused).toBeGreaterThan(0);
    expect(r.series.sessions.at(-1)).toBe(100);
    audit(layer, { clients: 150 });
  });

  it('attempts = accepts + refused + failed + those still connecting, under any load and restart (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 400 }), fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 20, max: 400 }), fc.constantFrom('fixed', 'phoenix', 'exponential', 'mars'),
      fc.constantFrom<RestartPlan['policy'] | 'none'>('none', 'hard', 'drain', 'rolling'), fc.integer({ min: 1, max: 1000 }),
      (clients, servers, acceptRate, backlog, limit, reconnect, policy, seed) => {
        const o: ConnectionLayerOptions = {
          clients, servers, server: { acceptRate, backlog, limit }, rampUp: 3, meanConnection: 40, connectTimeout: 2, reconnect, seed,
          restarts: policy === 'none' ? [] : [{ policy, at: 20, downtime: 2, window: 5 }],
        };
        const layer = new ConnectionLayer(o);
        for (const t of [10, 25, 60]) {
          layer.runUntil(t);
          audit(layer, o);
          const c = layer.census();
          const r = layer.result();
          expect(r.totals.attempts).toBe(r.totals.accepts + r.totals.refused + r.totals.failed + c.connecting + c.queued);
          expect(r.peaks.serverConnections).toBeLessThanOrEqual(limit);
          // Every accepted connection logs in, is logging in, or was cut by a restart while logging in.
          const unfinished = r.totals.accepts - r.totals.logins - c.loggingIn;
          expect(unfinished).toBeGreaterThanOrEqual(0);
          expect(unfinished).toBeLessThanOrEqual(r.totals.cut);
        }
      },
    ), { numRuns: 40 });
  });
});
