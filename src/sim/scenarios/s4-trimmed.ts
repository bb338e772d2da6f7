// S4: history trimmed while a device was offline. The store keeps 50 messages per user; bob is
// away while alice sends 200. The versioned server answers bob's msg-sync with an explicit
// "-BEHIND" (Telegram: differenceTooLong; Matrix: limited): the client reports the hole and
// continues after it. The queue protocol's List is capped too (maxQueued 50): it never trims an
// unacknowledged message (LTRIM would lose sends already acknowledged to alice); the store refuses
// the sends beyond the cap with an error, and alice keeps them to send again.
import { World } from '../world';
import { check, result, type Scenario } from './result';

const S = 1_000_000;

export const s4Trimmed: Scenario = {
  about: 'history trimmed (50 kept) while bob was offline and alice sent 200',
  outcome: 'versioned: an explicit BEHIND reply, every loss reported; queue: the capped List refuses the rest (the sender keeps it), nothing acknowledged is lost',
  async run(o) {
    const keep = 50, away = o.messages ?? 200;
    const world = new World({ protocol: o.protocol, seed: o.seed ?? 1, store: { maxHistory: keep, maxQueued: keep }, traceSink: o.traceSink,
      client: { reconnect: 'never' } });
    world.addClient('alice', {}, { profile: 'wifi' }).start();
    const bob = world.addClient('bob', {}, { profile: o.profile ?? '3g' });
    bob.start();
    world.runFor(5 * S);
    for (let i = 1; i <= 10; i++) world.send('alice', 'bob', `before ${i}`);
    world.runFor(20 * S);
    bob.drop();
    world.runFor(5 * S);
    for (let i = 1; i <= away; i++) world.send('alice', 'bob', `while away ${i}`);
    world.runFor(60 * S);
    bob.start();
    world.runFor(120 * S);
    const d = world.ledger.summary();
    const gone = away + 10 - keep - 10; // everything beyond the last `keep`, minus the 10 bob already had
    const checks = o.protocol === 'versioned'
      ? [
        check('an explicit BEHIND, never a silent gap', d.lost === gone && d.reportedGone === gone, `${d.lost} lost, ${d.reportedGone} reported gone by the server`),
        check('the rest arrives in order', d.unique === 10 + keep && d.outOfOrder === 0, `${d.unique} delivered`),
      ]
      : [
        check('the capped List refuses, never loses', d.lost === 0 && world.logic.stats.refused >= gone,
          `${d.lost} lost, ${world.logic.stats.refused} sends refused`),
        check('every send is delivered or still with its sender', d.unique + d.pending === away + 10, `${d.unique} delivered, ${d.pending} with the sender`),
      ];
    return result('s4-trimmed', o, world, checks);
  },
};
