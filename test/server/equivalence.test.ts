// One implementation, two runtimes: the scripted conversation through the simulator and through
// real sockets on loopback must deliver the same messages, in the same order, with the same number
// of frames of each kind.
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../src/protocol/messages';
import { conversation } from '../../src/scenario/conversation';
import { RealHarness } from '../../src/server/real-harness';
import { SimHarness } from '../../src/sim/sim-harness';

let real: RealHarness | null = null;
afterEach(async () => {
  await real?.close();
  real = null;
});

describe.each(PROTOCOLS)('sim vs real sockets, %s protocol', (protocol) => {
  it('same deliveries, same order, same frames per kind', async () => {
    const sim = new SimHarness({ protocol, seed: 3 });
    await conversation(sim);
    real = await RealHarness.start(protocol);
    await conversation(real);

    for (const user of ['alice', 'bob']) {
      expect(real.ledger.receivedBy(user)).toEqual(sim.ledger.receivedBy(user));
      expect(Object.fromEntries(real.frameCounts(user))).toEqual(Object.fromEntries(sim.frameCounts(user)));
    }
    expect(real.ledger.counts()).toEqual(sim.ledger.counts());
    expect(sim.ledger.summary().lost).toBe(0);
  });
});
