// S8: ack batching in the queue protocol. Acknowledging every message costs a round trip each;
// batching saves round trips but leaves more received-but-unacknowledged messages behind when a
// connection dies, and each of those is applied again. The versioned protocol's cumulative
// msg-fin has no such trade-off: one number confirms everything up to it.
import { runMetrics } from '../metrics';
import { check, result, type LabelledWorld, type Scenario, type ScenarioResult } from './result';
import { S1_MOBILITY } from './s1-flaky';
import { runWorkload } from './workload';

export const S8_BATCHES = [1, 5, 20];

export const s8AckBatching: Scenario = {
  about: 'queue protocol acking every 1, 5, 20 messages on the S1 flaky link (versioned for contrast)',
  outcome: 'bigger batches: fewer round trips per message, more duplicates; versioned: no duplicates at any cost',
  async run(o) {
    const base = { protocol: o.protocol, seed: o.seed, profile: o.profile ?? '3g', mobility: S1_MOBILITY, messages: o.messages ?? 500, meanGapMs: 1000 };
    const rows: ScenarioResult['rows'] = [];
    if (o.protocol === 'versioned') {
      const world = runWorkload({ ...base, world: { traceSink: o.traceSink } });
      const m = runMetrics(world);
      rows.push({ ack: 'msg-fin (cumulative)', 'round trips/msg': m.roundTripsPerMessage, duplicates: m.delivery.duplicates });
      return result('s8-ack-batching', o, world, [check('no duplicates', m.delivery.duplicates === 0, `${m.delivery.duplicates} applied twice`)], rows);
    }
    const worlds: LabelledWorld[] = [];
    for (const n of S8_BATCHES) {
      const world = runWorkload({ ...base, receiver: { queue: { ackEvery: n, ackDelayUs: 5_000_000 } } });
      worlds.push({ label: `ack every ${n}`, world });
      const m = runMetrics(world);
      rows.push({ ack: `every ${n}`, 'round trips/msg': m.roundTripsPerMessage, duplicates: m.delivery.duplicates, lost: m.delivery.lost });
    }
    const rt = rows.map((r) => Number(r['round trips/msg']));
    const dup = rows.map((r) => Number(r.duplicates));
    return result('s8-ack-batching', o, worlds, [
      check('fewer round trips with bigger batches', rt[0] > rt[rt.length - 1], rt.map((x) => x.toFixed(2)).join(' > ')),
      check('more duplicates with bigger batches', dup[dup.length - 1] > dup[0], dup.join(' < ')),
      check('nothing lost', rows.every((r) => r.lost === 0), 'every batch size'),
    ], rows);
  },
};
