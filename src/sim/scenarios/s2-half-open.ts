// S2: a half-open connection and the heartbeat interval. bob's connection is cut half-open
// (nobody is told) while he is idle; alice sends him a message right after. Nothing arrives until
// bob's client notices -- its next PING goes unanswered -- and reconnects. The window in which
// messages wait grows with the heartbeat interval: the deck's root cause of XMPP message loss
// ("半关闭") becomes, with acknowledged delivery, a delay bounded by interval + PING timeout.
import type { HeartbeatPolicy } from '../../protocol/policies';
import type { TraceEvent } from '../trace';
import { World } from '../world';
import { check, result, type LabelledWorld, type Scenario, type ScenarioResult } from './result';

const S = 1_000_000;
export const S2_INTERVALS_S = [30, 60, 120, 270];
const TIMEOUT_S = 10;

function firstAfter(events: readonly TraceEvent[], t: number, pred: (e: TraceEvent) => boolean): number {
  const e = events.find((x) => x.t >= t && pred(x));
  return e ? e.t : NaN;
}

export const s2HalfOpen: Scenario = {
  about: 'half-open cut while idle: detection window vs heartbeat interval (30 s ... 270 s)',
  outcome: 'the message waits until the next unanswered PING: delay <= interval + timeout; nothing is lost',
  async run(o) {
    const rows: ScenarioResult['rows'] = [];
    const checks = [];
    const worlds: LabelledWorld[] = [];
    for (const intervalS of S2_INTERVALS_S) {
      const heartbeat: HeartbeatPolicy = { kind: 'fixed', intervalUs: intervalS * S, timeoutUs: TIMEOUT_S * S };
      const world = new World({
        protocol: o.protocol, seed: o.seed ?? 1, keepTrace: Infinity, traceSink: o.traceSink,
        serverIdleUs: 3 * intervalS * S, client: { heartbeat, reconnect: { kind: 'fixed', delayUs: 1 * S } },
      });
      world.addClient('alice', {}, { profile: 'wifi' }).start();
      world.addClient('bob', {}, { profile: o.profile ?? '3g' }).start();
      // Cut at a random moment of bob's heartbeat cycle, after both are settled.
      const cutAt = Math.round(intervalS * S * (2 + world.kernel.rng('s2').next()));
      world.kernel.at(cutAt, () => world.link('bob').cutAll());
      world.kernel.at(cutAt + S, () => void world.send('alice', 'bob', 'are you there?'));
      world.runFor(cutAt + 6 * intervalS * S);
      worlds.push({ label: `heartbeat ${intervalS} s`, world });
      const ev = world.trace.events;
      const clientDetect = firstAfter(ev, cutAt, (e) => e.kind === 'state' && e.fields[0] === 'bob' && e.fields[1] === 'offline');
      const serverDetect = firstAfter(ev, cutAt, (e) => e.kind === 'reaped' || (e.kind === 'closed' && e.fields[0] === 'server' && e.fields[1] === 'bob'));
      const delivered = firstAfter(ev, cutAt, (e) => e.kind === 'applied' && e.fields[0] === 'bob');
      const d = world.ledger.summary();
      rows.push({
        'heartbeat (s)': intervalS, 'client notices (s)': (clientDetect - cutAt) / S,
        'server notices (s)': (serverDetect - cutAt) / S, 'message delay (s)': (delivered - cutAt - S) / S, lost: d.lost,
      });
      checks.push(check(`heartbeat ${intervalS} s`, clientDetect - cutAt <= (intervalS + TIMEOUT_S + 1) * S && d.lost === 0 && Number.isFinite(delivered),
        `client noticed after ${((clientDetect - cutAt) / S).toFixed(1)} s (bound ${intervalS + TIMEOUT_S} s), message delayed ${((delivered - cutAt - S) / S).toFixed(1)} s`));
    }
    const delays = rows.map((r) => Number(r['message delay (s)']));
    checks.push(check('the window grows with the interval', delays[delays.length - 1] > delays[0], `delays ${delays.map((x) => x.toFixed(0)).join(' < ')} s`));
    return result('s2-half-open', o, worlds, checks, rows);
  },
};

