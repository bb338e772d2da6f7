// S6: a logic-layer restart under traffic, durable and in-process queue, both protocols.
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../../src/protocol/messages';
import { runS6, s6Checks, s6LogicRestart, S6_DOWN_US } from '../../../src/sim/scenarios/s6-logic-restart';

describe('S6 logic-layer restart', () => {
  it.each(PROTOCOLS)('%s: every stated outcome holds', async (protocol) => {
    const r = await s6LogicRestart.run({ protocol, seed: 1 });
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.checks.length).toBe(8);
    expect(r.runs.map((x) => x.label)).toEqual(['durable queue', 'in-process queue']);
  });

  it.each([true, false])('durable=%s: clients stay, the backlog rises while down and drains, versioned loses nothing', (durable) => {
    const r = runS6({ protocol: 'versioned', seed: 2 }, durable);
    expect(r.disconnects).toBe(0);
    expect(r.world.restarts).toHaveLength(1);
    const [restart] = r.world.restarts;
    expect(restart.up - restart.down).toBe(S6_DOWN_US);
    expect(r.cmdqPeak).toBeGreaterThan(r.cmdqBefore);
    expect(r.cmdqEnd).toBe(0);
    expect(r.violations).toEqual([]);
    expect(r.stranded).toBe(0);
    expect(r.duplicates).toBe(0);
    // the process died right after storing a send: the retry (or the hand-back) finds it stored
    expect(r.foundStored).toBeGreaterThanOrEqual(1);
    if (durable) {
      expect(r.redelivered).toBeGreaterThanOrEqual(1);
      expect(r.retried).toBe(0);
    } else {
      expect(r.retried).toBe(restart.retried);
      expect(r.retried).toBeGreaterThan(0);
      expect(r.world.logicModel!.stats.lost).toBeGreaterThan(0);
    }
    // requests waited through the restart: replies later than 500 ms are counted as htime
    expect(r.htime).toBeGreaterThan(0);
    expect(r.world.logicModel!.report().little.relError).toBeLessThan(1e-9);
  });

  it('queue protocol: a message stored just before the crash waits for the next login, then arrives', () => {
    const r = runS6({ protocol: 'queue', seed: 1 }, true);
    expect(r.stranded).toBe(1);
    expect(r.strandedAfterRelogin).toBe(0);
  });

  it('the durable check fails when nothing was handed back, or when the gateway retried', () => {
    const r = runS6({ protocol: 'versioned', seed: 1 }, true);
    const handedBack = (run: typeof r) => s6Checks([run], 'versioned').find((c) => c.name === 'durable: unanswered work handed to the new process')!;
    expect(handedBack(r).ok).toBe(true);
    expect(handedBack({ ...r, redelivered: 0 }).ok).toBe(false);
    expect(handedBack({ ...r, retried: 1 }).ok).toBe(false);
  });

  it('is deterministic', () => {
    const a = runS6({ protocol: 'versioned', seed: 5 }, false);
    const b = runS6({ protocol: 'versioned', seed: 5 }, false);
    expect(a.world.trace.fingerprint()).toBe(b.world.trace.fingerprint());
  });
});
