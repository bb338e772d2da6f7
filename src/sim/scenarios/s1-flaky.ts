// S1: a flaky mobile link, 1000 messages. Connections are reset, cut half-open and lost in
// outages while alice keeps sending. The versioned protocol applies every message exactly once,
// in order. The queue protocol loses nothing either, but applies again exactly the messages that
// were received and not yet acknowledged when a connection died (re-sent from the List at the
// next login): every duplicate is explained that way, and no other kind of duplicate occurs.
import { check, result, type Scenario } from './result';
import { BATCHED_ACKS, runWorkload } from './workload';

export const S1_MOBILITY = ['resets', 'half-open', 'elevator'];

export const s1Flaky: Scenario = {
  about: 'flaky link (resets, half-open cuts, elevator outages), 1000 messages',
  outcome: 'versioned: each message applied exactly once, in order; queue: duplicates = received-but-unacknowledged at the cuts',
  async run(o) {
    const world = runWorkload({
      protocol: o.protocol, seed: o.seed, profile: o.profile ?? '3g', mobility: S1_MOBILITY,
      messages: o.messages ?? 1000, receiver: BATCHED_ACKS,
      world: { traceSink: o.traceSink }, recordWire: o.recordWire,
    });
    const d = world.ledger.summary();
    const n = o.messages ?? 1000;
    const q = world.queueDuplicates;
    const checks = [
      check('nothing lost', d.lost === 0 && d.unique === n, `${d.unique}/${n} delivered, ${d.lost} lost`),
      check('in order', d.outOfOrder === 0, `${d.outOfOrder} out of order`),
      o.protocol === 'versioned'
        ? check('exactly once', d.duplicates === 0, `${d.duplicates} applied twice`)
        : check('duplicates are the unacknowledged at cuts', d.duplicates === q.owedAndApplied && q.unexplained === 0,
          `${d.duplicates} duplicates; ${q.owedAndApplied} were applied-but-unacknowledged when a new session read the List; ${q.unexplained} unexplained`),
    ];
    return result('s1-flaky', o, world, checks);
  },
};
