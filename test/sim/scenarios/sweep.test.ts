// The protocol comparison across many seeds and every mobile profile, with random resets,
// half-open cuts and outages (bounded: 210 seeds x 2 protocols x 200 messages). The versioned
// protocol never loses, duplicates or reorders; every queue duplicate is a message that was
// received but not yet acknowledged when a new session re-read the List, and every such message
// that was re-sent was applied again. (blackhole is left out: nothing can be delivered there.)
import { describe, expect, it } from 'vitest';
import { BATCHED_ACKS, runWorkload } from '../../../src/sim/scenarios/workload';
import { S1_MOBILITY } from '../../../src/sim/scenarios/s1-flaky';
import { MOBILE_PROFILES } from '../../../src/sim/network/profiles';

const SEEDS = 210;
const MESSAGES = 200;

describe('sweep: 210 seeds across the mobile profiles, random cuts and outages', () => {
  it('versioned: zero lost, zero applied twice, zero out of order, in every run', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const profile = MOBILE_PROFILES[seed % MOBILE_PROFILES.length];
      const w = runWorkload({ protocol: 'versioned', seed, profile, mobility: S1_MOBILITY, messages: MESSAGES, meanGapMs: 3000 });
      const d = w.ledger.summary();
      if (d.lost || d.duplicates || d.outOfOrder || d.unique !== MESSAGES) bad.push(`seed ${seed} ${profile}: ${JSON.stringify(d)}`);
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it('queue: duplicates are exactly the received-but-unacknowledged messages re-sent after cuts', () => {
    const bad: string[] = [];
    let total = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const profile = MOBILE_PROFILES[seed % MOBILE_PROFILES.length];
      const w = runWorkload({
        protocol: 'queue', seed, profile, mobility: S1_MOBILITY, messages: MESSAGES, meanGapMs: 3000,
        receiver: BATCHED_ACKS,
      });
      const d = w.ledger.summary();
      const q = w.queueDuplicates;
      total += d.duplicates;
      if (d.lost || d.unique !== MESSAGES || d.duplicates !== q.owedAndApplied || q.unexplained) {
        bad.push(`seed ${seed} ${profile}: ${JSON.stringify({ ...d, ...q })}`);
      }
    }
    expect(bad).toEqual([]);
    expect(total).toBeGreaterThan(0); // the cuts did leave unacknowledged messages behind
  }, 120_000);
});
