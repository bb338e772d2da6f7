// S6: the logic layer restarts under traffic. The deck splits the server so that the logic layer
// "可以随时重启" (may restart at any time) while the connection layer holds the sockets. Users chat
// (Poisson, text and images); 20 s in, the logic process dies -- at the worst moment, right after it
// stored a message and before it answered or announced it -- and a new one is up 3 s later.
// - Clients stay connected: the connection layer keeps answering PING and holds their requests;
//   replies are only late (htime).
// - cmdq (the async queue's backlog) rises while nobody consumes it, then drains.
// - Durable queue (a Redis Stream with acknowledgements): what the old process took and had not
//   answered is handed to the new one. In-process queue: what it held is gone; the connection layer
//   forwards again every request still unanswered (Gateway.retryUnanswered). Either way, sends carry
//   client message ids, so a send the old process had already stored is stored once.
// - Versioned protocol: nothing lost, nothing applied twice (a retried send's msg-psh is sent again,
//   and a client ignores versions it has). Queue protocol: a message stored just before the crash
//   whose msg-send push died with the process waits in the List until the recipient's next login.
import { Monitor } from '../../monitor/monitor';
import type { ProtocolName } from '../../protocol/messages';
import { HEARTBEAT, RECONNECT } from '../../protocol/policies';
import type { Violation } from '../../monitor/monitor';
import { runInvariants } from '../invariants';
import { World } from '../world';
import { populate } from '../workload';
import { check, result, type Check, type Scenario, type ScenarioOptions, type ScenarioResult } from './result';

const S = 1_000_000;
export const S6_RESTART_AT_US = 20 * S;
export const S6_DOWN_US = 3 * S;
const TRAFFIC_UNTIL_US = 60 * S;

export interface S6Run {
  durable: boolean;
  world: World;
  monitor: Monitor;
  users: number;
  /** Reconnects after the first connect, over all clients. */
  disconnects: number;
  /** Highest cmdq before the restart, while down or draining, and at the end. */
  cmdqBefore: number;
  cmdqPeak: number;
  cmdqEnd: number;
  /** When the backlog was back to its usual level, µs after the new process came up. */
  drainedAfterUs: number;
  /** Requests the gateway forwarded again (in-process queue) and the queue handed back (durable). */
  retried: number;
  redelivered: number;
  /** Sends the new process found stored already (the old one stored them and died before answering): stored once. */
  foundStored: number;
  /** Late replies counted by the connection layer (htime). */
  htime: number;
  /** Messages acknowledged to their senders and applied nowhere when traffic had stopped and all was quiet. */
  stranded: number;
  duplicates: number;
  /** The monitoring invariants at rest (tot-ses = Σ phases = Σ platforms at every minute, cmdq >= 0 and drained, Little). */
  violations: Violation[];
  /** Queue protocol: stranded messages delivered after one reconnect of everyone (the List re-sent at login). */
  strandedAfterRelogin: number;
}

export function runS6(o: ScenarioOptions, durable: boolean): S6Run {
  const monitor = new Monitor();
  const world = new World({
    protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink, monitor,
    logic: { workers: 4, durable },
    client: { heartbeat: HEARTBEAT['fixed-30s'], reconnect: RECONNECT.exponential },
  });
  const users = 30;
  populate(world, {
    users, alwaysOnline: true, messagesPerMinute: 30, imageShare: 0.1, untilUs: TRAFFIC_UNTIL_US,
    networks: typeof o.profile === 'string' ? { [o.profile]: 1 } : { wifi: 0.5, lte: 0.5 },
  });
  const model = world.logicModel!;
  let cmdqBefore = 0, cmdqPeak = 0;
  let drainedAt = NaN;
  let restartAt = Infinity;
  // after the restart, sample every millisecond until the backlog is back to its usual level
  const sample = () => {
    const up = restartAt + S6_DOWN_US;
    if (world.now >= up && model.backlog <= cmdqBefore) drainedAt = world.now - up;
    else world.kernel.schedule(1000, sample);
  };
  // the first send handled after 20 s: stored, neither acknowledged nor announced when the process dies
  world.kernel.at(S6_RESTART_AT_US, () => {
    model.onHandled = (m) => {
      if (m.k !== 'cmd' || m.args[0] !== 'send') return;
      model.onHandled = null;
      restartAt = world.now;
      cmdqBefore = model.stats.maxBacklog;
      world.restartLogic(S6_DOWN_US);
      world.kernel.schedule(S6_DOWN_US, sample);
    };
  });
  world.runFor(TRAFFIC_UNTIL_US);
  const clients = [...world.clients.values()];
  const quiet = () => model.backlog === 0 && world.gateway.unanswered === 0 && clients.every((c) => c.unanswered === 0 && c.outbox.size === 0);
  world.runUntil(quiet, 600 * S, 'quiet after the traffic stopped');
  world.runFor(5 * S);
  const violations = runInvariants(world, monitor, { atRest: true });
  cmdqPeak = model.stats.maxBacklog;
  const d = world.ledger.summary();
  const disconnects = clients.reduce((a, c) => a + c.stats.connects - 1, 0);
  let strandedAfterRelogin = d.lost;
  if (o.protocol === 'queue' && d.lost > 0) {
    // everyone logs in again: the List is sent again at login
    for (const c of clients) c.drop();
    world.runUntil(() => clients.every((c) => c.state === 'online') && quiet(), 600 * S, 'everyone back online');
    world.runFor(5 * S);
    strandedAfterRelogin = world.ledger.summary().lost;
  }
  return {
    durable, world, monitor, users, violations, disconnects, cmdqBefore, cmdqPeak, cmdqEnd: model.backlog,
    drainedAfterUs: drainedAt, retried: world.gateway.stats.retried, redelivered: model.stats.redelivered,
    foundStored: world.logic.stats.duplicatesDropped, htime: monitor.totals().htime, stranded: d.lost, duplicates: d.duplicates, strandedAfterRelogin,
  };
}

/** The stated outcomes, checked on the runs (durable and in-process queue). */
export function s6Checks(runs: S6Run[], protocol: ProtocolName): Check[] {
  const checks: Check[] = [];
  for (const r of runs) {
    const q = r.durable ? 'durable' : 'in-process';
    checks.push(
      check(`${q}: no client disconnects`, r.disconnects === 0 && r.world.gateway.connections === r.users,
        `${r.disconnects} reconnects; ${r.world.gateway.connections} of ${r.users} connections held`),
      check(`${q}: cmdq rises then drains`, r.cmdqPeak > r.cmdqBefore && r.cmdqEnd === 0 && r.violations.length === 0,
        `peak ${r.cmdqPeak} (usual ≤ ${r.cmdqBefore}), back to usual ${(r.drainedAfterUs / 1000).toFixed(0)} ms after the restart, ${r.cmdqEnd} at the end; ${r.violations.length} invariant violations`),
      r.durable
        ? check(`${q}: unanswered work handed to the new process`, r.redelivered > 0 && r.retried === 0, `${r.redelivered} handed back, ${r.retried} retried by the gateway`)
        : check(`${q}: unanswered requests retried by the connection layer`, r.retried > 0, `${r.retried} forwarded again`),
    );
    if (protocol === 'versioned') {
      checks.push(check(`${q}: versioned loses nothing, applies nothing twice`, r.stranded === 0 && r.duplicates === 0,
        `${r.stranded} undelivered, ${r.duplicates} applied twice`));
    } else {
      checks.push(check(`${q}: queue: stored messages wait in the List at worst, delivered at the next login`, r.strandedAfterRelogin === 0,
        `${r.stranded} stranded until a login, ${r.strandedAfterRelogin} after everyone logged in again; ${r.duplicates} applied twice`));
    }
  }
  return checks;
}

export const s6LogicRestart: Scenario = {
  about: '30 users chatting; the logic layer dies at 20 s and is back 3 s later; durable queue vs in-process queue',
  outcome: 'no client disconnects; cmdq rises then drains; versioned loses nothing (in-process queue: unanswered requests are retried, sends stored once)',
  async run(o) {
    const runs = [runS6(o, true), runS6(o, false)];
    const rows: ScenarioResult['rows'] = runs.map((r) => ({
      queue: r.durable ? 'durable' : 'in-process', 'client disconnects': r.disconnects, 'cmdq before': r.cmdqBefore,
      'cmdq peak': r.cmdqPeak, 'cmdq at the end': r.cmdqEnd, 'drained (ms after up)': r.drainedAfterUs / 1000,
      'handed back': r.redelivered, 'retried by the gateway': r.retried, 'sends found stored': r.foundStored, 'late replies (htime)': r.htime,
      'stranded when quiet': r.stranded, 'applied twice': r.duplicates,
    }));
    const checks = s6Checks(runs, o.protocol);
    return result('s6-logic-restart', o, runs.map((r) => ({ label: r.durable ? 'durable queue' : 'in-process queue', world: r.world })), checks, rows);
  },
};
