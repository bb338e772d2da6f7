// The walking skeleton's scripted conversation, as a scenario (the script itself is runtime-neutral:
// src/scenario/conversation.ts; it also runs over real sockets).
import { conversation } from '../../scenario/conversation';
import { SimHarness } from '../sim-harness';
import { check, result, type Scenario } from './result';

export const conversationScenario: Scenario = {
  about: 'two users, 14 messages, bob\'s connection dropped in the middle (queue clients ack every 3)',
  outcome: 'both deliver all 14; the queue protocol applies the 2 unacknowledged messages twice, the versioned none',
  async run(o) {
    const h = new SimHarness({ protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink, recordWire: o.recordWire });
    await conversation(h);
    const d = h.ledger.summary();
    const checks = [
      check('all delivered', d.unique === 14 && d.lost === 0, `${d.unique}/14 delivered, ${d.lost} lost`),
      check('duplicates', d.duplicates === (o.protocol === 'queue' ? 2 : 0), `${d.duplicates} applied twice`),
    ];
    return result('conversation', o, h.world, checks);
  },
};
