// S9: one user, two devices: a phone on 3G, always on, and a pad on Wi-Fi that is switched on
// half-way through. The versioned protocol keeps one cursor per device, so the pad syncs
// everything it missed, once. The queue protocol keeps one List per user: what the phone has
// acknowledged is deleted, so the pad never sees the first half of the conversation. (Messages
// stored while both are online are pushed to both: the split is over what waited offline.)
import { check, result, type Scenario, type ScenarioResult } from './result';
import { buildWorkload } from './workload';

export const s9TwoDevices: Scenario = {
  about: 'bob on two devices: phone on 3g always on, pad on wifi switched on half-way; alice sends 200',
  outcome: 'versioned: each device gets all 200 exactly once; queue: the pad never sees what the phone acknowledged',
  async run(o) {
    const n = o.messages ?? 200;
    const { world } = buildWorkload({ protocol: o.protocol, seed: o.seed, profile: o.profile ?? '3g', messages: n, meanGapMs: 500,
      world: { traceSink: o.traceSink } });
    const pad = world.addClient('bob', { device: 'bob-pad' }, { profile: 'wifi' });
    world.kernel.at((n / 2) * 500_000, () => pad.start());
    world.runFor(n * 500_000 + 600_000_000);
    const rows: ScenarioResult['rows'] = world.clientsOf('bob').map((c) => {
      const got = new Set(world.ledger.log.filter((e) => e.device === c.device).map((e) => e.key)).size;
      const applied = world.ledger.log.filter((e) => e.device === c.device).length;
      return { device: c.device, received: got, missing: n - got, 'applied twice': applied - got };
    });
    const complete = rows.every((r) => r.missing === 0 && r['applied twice'] === 0);
    const checks = o.protocol === 'versioned'
      ? [check('every device has every message once', complete, rows.map((r) => `${r.device}: ${r.received}/${n}`).join(', '))]
      : [check('the pad misses what the phone acknowledged', Number(rows[0].missing) === 0 && Number(rows[1].missing) > 0,
        rows.map((r) => `${r.device}: ${r.received}/${n}`).join(', '))];
    return result('s9-two-devices', o, world, checks, rows);
  },
};
