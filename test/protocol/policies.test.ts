import { describe, expect, it } from 'vitest';
import { HEARTBEAT, Heartbeat, RECONNECT, reconnectDelay } from '../../src/protocol/policies';
import { World } from '../../src/sim/world';
import { resolveProfile } from '../../src/sim/network/profiles';

const S = 1_000_000;
const MIN = 60 * S;

describe('Heartbeat (Mars adaptive)', () => {
  it('grows by 60 s after 5 successes, up to 10 min; settles 80 s lower after 2 failures', () => {
    const h = new Heartbeat(HEARTBEAT.mars);
    expect(h.interval).toBe(3.5 * MIN);
    for (let i = 0; i < 5; i++) h.succeeded();
    expect(h.interval).toBe(4.5 * MIN);
    for (let i = 0; i < 100; i++) h.succeeded();
    expect(h.interval).toBe(10 * MIN);
    h.failedIdle();
    expect(h.interval).toBe(10 * MIN);
    h.failedIdle();
    expect(h.interval).toBe(10 * MIN - 80 * S);
    expect(h.settled).toBe(true);
    for (let i = 0; i < 10; i++) h.succeeded();
    expect(h.interval).toBe(10 * MIN - 80 * S); // settled: the NAT timeout is found
  });

  it('learns per network: a new network starts afresh, a known one resumes what was learnt', () => {
    const h = new Heartbeat(HEARTBEAT.mars);
    h.useNetwork('wifi-home');
    for (let i = 0; i < 10; i++) h.succeeded();
    expect(h.interval).toBe(5.5 * MIN);
    h.useNetwork('carrier');
    expect([h.interval, h.settled]).toEqual([3.5 * MIN, false]);
    h.failedIdle();
    h.failedIdle();
    expect(h.settled).toBe(true);
    h.useNetwork('wifi-home');
    expect([h.interval, h.settled]).toEqual([5.5 * MIN, false]);
    h.useNetwork('carrier');
    expect([h.interval, h.settled]).toEqual([3.5 * MIN, true]);
  });

  it('a fixed heartbeat is the same on every network', () => {
    const h = new Heartbeat(HEARTBEAT['fixed-270s']);
    h.useNetwork('x');
    expect(h.interval).toBe(270 * S);
  });
});

describe('reconnectDelay', () => {
  const rng = (v: number) => ({ next: () => v });
  it('phoenix steps without jitter, then 5 s', () => {
    expect([0, 1, 8, 9, 50].map((a) => reconnectDelay(RECONNECT.phoenix, a, rng(0.9)))).toEqual([10_000, 50_000, 2 * S, 5 * S, 5 * S]);
  });
  it('exponential doubles to its cap, jitter within [d·(1−j), d]', () => {
    expect(reconnectDelay(RECONNECT.exponential, 3, rng(0))).toBe(4 * S);
    expect(reconnectDelay(RECONNECT.exponential, 3, rng(0.999999))).toBeLessThanOrEqual(8 * S);
    expect(reconnectDelay(RECONNECT.exponential, 30, rng(1 - 1e-9))).toBeLessThanOrEqual(16 * S);
  });
  it('mars: base by attempt plus up to 20 s', () => {
    expect(reconnectDelay(RECONNECT.mars, 0, rng(0))).toBe(15 * S);
    expect(reconnectDelay(RECONNECT.mars, 9, rng(0.5))).toBe(610 * S);
  });
});

describe('a phone that moves between networks (simulated)', () => {
  it('keeps the heartbeat it learnt behind the carrier NAT when it comes back from Wi-Fi', () => {
    const world = new World({ protocol: 'versioned', seed: 3, client: { heartbeat: HEARTBEAT.mars, reconnect: { kind: 'fixed', delayUs: S } } });
    const bob = world.addClient('bob', {}, { profile: '3g', natIdleUs: 5 * MIN });
    bob.start();
    world.runFor(4 * 60 * MIN);
    expect(bob.heartbeat.settled).toBe(true);
    const learnt = bob.heartbeat.interval;
    expect(learnt).toBeLessThan(5 * MIN);
    world.link('bob').handover(resolveProfile('wifi'));
    world.runFor(2 * MIN);
    expect([bob.heartbeat.network, bob.heartbeat.interval]).toEqual(['wifi', 3.5 * MIN]);
    world.link('bob').handover(resolveProfile('3g'));
    world.runFor(2 * MIN);
    expect([bob.heartbeat.network, bob.heartbeat.interval, bob.heartbeat.settled]).toEqual(['3g', learnt, true]);
  });
});
