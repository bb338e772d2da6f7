// S10: heartbeats against a carrier NAT that forgets idle mappings after 5 minutes (China 2G/3G
// lore; RFC 5382 asks for >= 2 h 4 min, carriers do not comply). An idle phone must heartbeat
// more often than the NAT timeout or lose its connection, but every heartbeat wakes the radio.
// Fixed 270 s stays under it; fixed 10 min is cut every time; WeChat Mars's adaptive heartbeat
// starts at 3.5 min, grows by 60 s after 5 successes, and settles 80 s lower after 2 failures.
import type { HeartbeatPolicy } from '../../protocol/policies';
import { HEARTBEAT } from '../../protocol/policies';
import { runMetrics } from '../metrics';
import { World } from '../world';
import { check, result, type LabelledWorld, type Scenario, type ScenarioResult } from './result';

const MIN = 60_000_000;
export const S10_NAT_IDLE_US = 5 * MIN;
export const S10_POLICIES = ['fixed-270s', 'fixed-10min', 'mars'];

export const s10HeartbeatNat: Scenario = {
  about: 'an idle phone for 6 h behind a 5-min carrier NAT: heartbeat fixed 270 s, fixed 10 min, Mars adaptive',
  outcome: 'under the NAT timeout no drops; over it a drop per heartbeat; Mars learns an interval under the timeout',
  async run(o) {
    const rows: ScenarioResult['rows'] = [];
    const out: Record<string, { drops: number; interval: number; settled: boolean }> = {};
    const worlds: LabelledWorld[] = [];
    for (const name of S10_POLICIES) {
      const heartbeat: HeartbeatPolicy = HEARTBEAT[name];
      const world = new World({ protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink, serverIdleUs: 3 * 10 * MIN,
        client: { heartbeat, reconnect: { kind: 'fixed', delayUs: 1_000_000 } } });
      const bob = world.addClient('bob', {}, { profile: o.profile ?? '3g', natIdleUs: S10_NAT_IDLE_US });
      bob.start();
      world.runFor(6 * 60 * MIN);
      worlds.push({ label: `heartbeat ${name}`, world });
      const m = runMetrics(world);
      out[name] = { drops: m.reconnects, interval: bob.heartbeat.interval / MIN, settled: bob.heartbeat.settled };
      rows.push({
        heartbeat: name, 'NAT drops': m.reconnects, 'heartbeats/h': m.heartbeatsPerHour, 'radio wake-ups/h': m.wakeupsPerHour,
        'final interval (min)': bob.heartbeat.interval / MIN,
      });
    }
    return result('s10-heartbeat-nat', o, worlds, [
      check('270 s stays under the NAT timeout', out['fixed-270s'].drops === 0, `${out['fixed-270s'].drops} drops`),
      check('10 min is cut at every heartbeat', out['fixed-10min'].drops >= 30, `${out['fixed-10min'].drops} drops in 6 h`),
      check('Mars settles under the timeout', out.mars.settled && out.mars.interval < 5 && out.mars.drops <= 4,
        `interval ${out.mars.interval.toFixed(2)} min after ${out.mars.drops} drops`),
    ], rows);
  },
};
