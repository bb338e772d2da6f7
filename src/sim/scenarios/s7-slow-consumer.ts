// S7: a slow consumer. bob is on a rural 2G link (20 kbit/s down) while ten friends on Wi-Fi flood
// him: 600 messages in 30 s, more bytes than his link can carry. What the server writes for him piles
// up. The connection layer bounds the pushes it keeps for one connection (a sans-I/O output buffer in
// the gateway: a push goes to the socket while the socket holds little, else waits in a buffer of
// 16 KiB, S7_LIMIT_BYTES) and, when it is full, applies a policy:
//   drop-newest  — the push that does not fit is dropped;
//   drop-oldest  — the oldest waiting pushes are dropped to make room;
//   disconnect   — the connection is closed (Redis: client-output-buffer-limit); the client reconnects.
// Without a bound (the baseline) the server's memory for bob just grows.
// - Versioned: pushes are only notices ("msg-psh v"); any later one makes the client sync everything
//   after its cursor, and the bodies travel in sync replies that the client asks for at its own pace.
//   Dropping notices loses nothing; disconnecting costs a reconnect and a resync, nothing else.
// - Queue: the pushes ARE the messages (msg-send carries the body). A dropped one is in the server's
//   "in flight" set and in the List, so it is not sent again on this connection: it is stranded until
//   bob's next login re-sends the List. Disconnect makes that login happen at once (at the price of
//   re-sending what was received and not yet acknowledged).
import type { SlowConsumerPolicy } from '../../connection/gateway';
import { HEARTBEAT, RECONNECT } from '../../protocol/policies';
import { World } from '../world';
import { check, result, type Check, type Scenario, type ScenarioOptions, type ScenarioResult } from './result';

const S = 1_000_000;
export const S7_POLICIES: (SlowConsumerPolicy | 'unbounded')[] = ['unbounded', 'drop-newest', 'drop-oldest', 'disconnect'];
export const S7_LIMIT_BYTES = 16 * 1024;
export const S7_SOCKET_BYTES = 8 * 1024;
/** Messages per msg-sync reply and per msg-send push page: a page (~4 KiB) fits the buffer. */
export const S7_PAGE = 20;
const SENDERS = 10;
const FLOOD_US = 30 * S;
const PER_SENDER = 60;
const BODY_BYTES = 160;
const MAX_LOGINS = 10;

/** The connection layer's buffer for one connection, and the protocol's page size. */
export interface S7Buffer {
  limitBytes: number;
  socketBytes: number;
  page: number;
}
export const S7_BUFFER: S7Buffer = { limitBytes: S7_LIMIT_BYTES, socketBytes: S7_SOCKET_BYTES, page: S7_PAGE };
/**
 * Versioned notices are 24 bytes: they never fill S7_BUFFER. A tight buffer (256 B behind a 1 KiB socket
 * share, pages of 100 messages so a sync reply fills the socket) makes the policies act on them.
 */
export const S7_TIGHT: S7Buffer = { limitBytes: 256, socketBytes: 1024, page: 100 };

export interface S7Run {
  policy: SlowConsumerPolicy | 'unbounded';
  buffer: S7Buffer;
  world: World;
  /** Most bytes the server held for bob at once: in the socket plus in the output buffer; and in the buffer alone (sampled every 100 ms). */
  peakBacklog: number;
  peakHeld: number;
  pushesDropped: number;
  disconnects: number;
  /** When the flood is over and all is quiet (or 15 min later): messages for bob acknowledged to their sender and not shown to him. */
  stranded: number;
  duplicates: number;
  /** After bob logs in again, up to MAX_LOGINS times, while some are missing (a login re-sends the queue protocol's List). */
  logins: number;
  strandedAfterLogins: number;
  /** Time from the first message to bob having all he got, s. */
  catchUpS: number;
}

export function runS7(o: ScenarioOptions, policy: SlowConsumerPolicy | 'unbounded', buffer: S7Buffer = S7_BUFFER): S7Run {
  const world = new World({
    protocol: o.protocol, seed: o.seed ?? 1, traceSink: o.traceSink, pageSize: buffer.page,
    output: policy === 'unbounded' ? undefined : { limitBytes: buffer.limitBytes, policy, socketBytes: buffer.socketBytes },
    client: { heartbeat: HEARTBEAT['fixed-270s'], reconnect: RECONNECT.exponential },
  });
  const bob = world.addClient('bob', {}, { profile: o.profile ?? '2g-rural' });
  bob.start();
  const senders = Array.from({ length: SENDERS }, (_, i) => `f${i + 1}`);
  for (const f of senders) world.addClient(f, {}, { profile: 'wifi' }).start();
  world.runFor(10 * S);
  const t0 = world.now;
  const rng = world.kernel.rng('s7/flood');
  const filler = 'x'.repeat(BODY_BYTES);
  for (const f of senders) {
    let t = t0;
    for (let i = 1; i <= PER_SENDER; i++) {
      t += Math.max(1, Math.round(rng.exp(FLOOD_US / PER_SENDER)));
      world.kernel.at(t, () => void world.send(f, 'bob', `${f}#${i} ${filler}`));
    }
  }
  let peak = 0, peakHeld = 0;
  const sample = () => {
    const b = world.serverBacklog('bob');
    peak = Math.max(peak, b.socket + b.held);
    peakHeld = Math.max(peakHeld, b.held);
    world.kernel.schedule(100_000, sample);
  };
  world.kernel.at(t0, sample);
  world.runFor(FLOOD_US);
  const clients = [...world.clients.values()];
  const quiet = () => {
    const b = world.serverBacklog('bob');
    return b.socket + b.held === 0 && world.gateway.unanswered === 0
      && clients.every((c) => c.state === 'online' && c.unanswered === 0 && c.outbox.size === 0);
  };
  /** Runs until quiet, or for `limitUs` at most (a client caught in a reconnect loop never is). */
  const settle = (limitUs: number) => {
    const end = world.now + limitUs;
    while (!quiet() && world.now < end) world.runFor(S);
    world.runFor(5 * S);
  };
  settle(15 * 60 * S);
  const lastApplied = () => world.ledger.log.filter((e) => e.device === bob.device).reduce((a, e) => Math.max(a, e.t), t0);
  const catchUp = lastApplied();
  const d = world.ledger.summary();
  let logins = 0;
  while (world.ledger.summary().lost > 0 && logins < MAX_LOGINS) {
    logins++;
    bob.drop();
    settle(10 * 60 * S);
  }
  return {
    policy, buffer, world, peakBacklog: peak, peakHeld, pushesDropped: world.gateway.stats.slowDropped, disconnects: world.gateway.stats.slowDisconnects,
    stranded: d.lost, duplicates: world.ledger.summary().duplicates, logins, strandedAfterLogins: world.ledger.summary().lost,
    catchUpS: (catchUp - t0) / S,
  };
}

/** 'unbounded', or the policy and its buffer ('drop-newest, 16384 B'). */
export const s7Label = (r: Pick<S7Run, 'policy' | 'buffer'>): string => (r.policy === 'unbounded' ? 'unbounded' : `${r.policy}, ${r.buffer.limitBytes} B`);

export const s7SlowConsumer: Scenario = {
  about: 'bob on rural 2G flooded by 10 friends (600 messages in 30 s); pushes bounded to 16 KiB per connection: drop-newest, drop-oldest, disconnect (and unbounded)',
  outcome: 'bounded: the server holds little for bob. Versioned: pull-based, holds about a page even unbounded; dropping notices loses nothing; disconnect costs a resync. Queue: unbounded grows with the flood; dropped pushes strand messages until later logins; disconnect loops (each login pushes the whole List)',
  async run(o) {
    const runs = S7_POLICIES.map((p) => runS7(o, p));
    const tight = o.protocol === 'versioned' ? S7_POLICIES.slice(1).map((p) => runS7(o, p, S7_TIGHT)) : [];
    const all = [...runs, ...tight];
    const rows: ScenarioResult['rows'] = all.map((r) => ({
      buffer: r.policy === 'unbounded' ? '-' : `${r.buffer.limitBytes} B`, policy: r.policy, 'peak held for bob (KiB)': +(r.peakBacklog / 1024).toFixed(1), 'of it in the output buffer': +(r.peakHeld / 1024).toFixed(1),
      'pushes dropped': r.pushesDropped, 'disconnects': r.disconnects, 'missing when quiet': r.stranded,
      'logins after': r.logins, 'missing after them': r.strandedAfterLogins, 'applied twice': r.duplicates, 'catch-up (s)': +r.catchUpS.toFixed(1),
    }));
    const [unbounded, newest, oldest, disconnect] = runs;
    const bound = S7_LIMIT_BYTES + S7_SOCKET_BYTES + 8 * 1024; // + one write that may go over the socket's share
    const checks: Check[] = [
      ...[newest, oldest, disconnect].map((r) => check(`${r.policy}: the output buffer stays within its bound`,
        r.peakHeld <= S7_LIMIT_BYTES && r.peakBacklog <= bound,
        `buffer peak ${(r.peakHeld / 1024).toFixed(1)} KiB of ${S7_LIMIT_BYTES / 1024}; all held ${(r.peakBacklog / 1024).toFixed(1)} KiB`)),
      check('everything arrives without a bound, nothing twice', unbounded.stranded === 0 && unbounded.duplicates === 0, `${unbounded.stranded} missing`),
    ];
    if (o.protocol === 'versioned') {
      const [tNewest, tOldest, tDisconnect] = tight;
      checks.push(
        check('versioned: even unbounded the server holds about a page for bob (he pulls)', unbounded.peakBacklog <= bound,
          `peak ${(unbounded.peakBacklog / 1024).toFixed(1)} KiB`),
        check('versioned: 24-byte notices never fill the buffer: nothing dropped, no disconnect, nothing missing',
          [newest, oldest, disconnect].every((r) => r.pushesDropped === 0 && r.disconnects === 0 && r.stranded === 0),
          `${[newest, oldest, disconnect].map((r) => r.pushesDropped + r.disconnects).join('/')} dropped or disconnected`),
        check('versioned, tight buffer: dropping notices loses nothing and applies nothing twice',
          [tNewest, tOldest].every((r) => r.pushesDropped > 0 && r.stranded === 0 && r.duplicates === 0),
          `drop-newest ${tNewest.pushesDropped} dropped, ${tNewest.stranded} missing; drop-oldest ${tOldest.pushesDropped} dropped, ${tOldest.stranded} missing`),
        check('versioned, tight buffer: disconnect costs reconnects and resyncs, nothing else',
          tDisconnect.disconnects > 0 && tDisconnect.stranded === 0 && tDisconnect.duplicates === 0,
          `${tDisconnect.disconnects} disconnects, ${tDisconnect.stranded} missing, ${tDisconnect.duplicates} applied twice`),
        check('versioned, tight buffer: the output buffer stays within its bound', tight.every((r) => r.peakHeld <= S7_TIGHT.limitBytes),
          `buffer peaks ${tight.map((r) => r.peakHeld).join(' / ')} B of ${S7_TIGHT.limitBytes}`),
      );
    } else {
      checks.push(
        check('queue: unbounded, the server holds what the link cannot carry', unbounded.peakBacklog > 2 * bound,
          `peak ${(unbounded.peakBacklog / 1024).toFixed(1)} KiB`),
        check('queue: dropped pushes strand messages; later logins re-send the List and deliver them',
          [newest, oldest].every((r) => r.pushesDropped > 0 && r.stranded > 0 && r.strandedAfterLogins === 0),
          `missing when quiet ${newest.stranded} / ${oldest.stranded}; after ${newest.logins} / ${oldest.logins} logins ${newest.strandedAfterLogins} / ${oldest.strandedAfterLogins}`),
        check('queue: disconnect loops -- every login pushes the whole List at once and overflows again',
          disconnect.disconnects > MAX_LOGINS && disconnect.strandedAfterLogins > 0,
          `${disconnect.disconnects} disconnects; ${disconnect.strandedAfterLogins} still missing after ${disconnect.logins} more logins`),
      );
    }
    return result('s7-slow-consumer', o, all.map((r) => ({ label: s7Label(r), world: r.world })), checks, rows);
  },
};
