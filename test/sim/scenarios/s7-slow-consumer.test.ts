// S7: a slow consumer flooded with messages; the connection layer's bounded output buffer and its
// three policies, both protocols.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../src/protocol/messages';
import { runS7, s7SlowConsumer, S7_LIMIT_BYTES, S7_TIGHT } from '../../../src/sim/scenarios/s7-slow-consumer';

describe('S7 slow consumer', () => {
  it.each(PROTOCOLS)('%s: every stated outcome holds', async (protocol) => {
    const r = await s7SlowConsumer.run({ protocol, seed: 1 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.rows).toHaveLength(protocol === 'versioned' ? 7 : 4);
    // every run is reported, not one of them as the scenario's
    expect(r.runs.map((x) => x.label)).toEqual(['unbounded', 'drop-newest, 16384 B', 'drop-oldest, 16384 B', 'disconnect, 16384 B',
      ...(protocol === 'versioned' ? ['drop-newest, 256 B', 'drop-oldest, 256 B', 'disconnect, 256 B'] : [])]);
  });

  it('queue protocol: the pushes carry the messages, so dropping them strands messages until a login', () => {
    const r = runS7({ protocol: 'queue', seed: 2 }, 'drop-oldest');
    expect(r.pushesDropped).toBeGreaterThan(0);
    expect(r.peakHeld).toBeLessThanOrEqual(S7_LIMIT_BYTES);
    expect(r.stranded).toBeGreaterThan(0);
    expect(r.logins).toBeGreaterThan(0);
    expect(r.strandedAfterLogins).toBe(0);
    expect(r.duplicates).toBe(0);
  });

  it.each(['drop-newest', 'drop-oldest', 'disconnect'] as const)('versioned, tight buffer, %s: nothing missing, nothing twice', (policy) => {
    const r = runS7({ protocol: 'versioned', seed: 3 }, policy, S7_TIGHT);
    expect(r.peakHeld).toBeLessThanOrEqual(S7_TIGHT.limitBytes);
    expect(policy === 'disconnect' ? r.disconnects : r.pushesDropped).toBeGreaterThan(0);
    expect(r.stranded).toBe(0);
    expect(r.duplicates).toBe(0);
  });

  it('is deterministic', () => {
    const a = runS7({ protocol: 'queue', seed: 4 }, 'drop-newest');
    const b = runS7({ protocol: 'queue', seed: 4 }, 'drop-newest');
    expect(a.world.trace.fingerprint()).toBe(b.world.trace.fingerprint());
  });
});
