// The messaging workload most scenarios share: alice, on a good link, sends bob N messages at
// random (Poisson) times; bob is the mobile user whose link the scenario degrades. The run ends
// when bob has every message and everything is quiet, or at a time limit.
import type { ClientOptions } from '../../protocol/client';
import type { ProtocolName } from '../../protocol/messages';
import { HEARTBEAT, RECONNECT } from '../../protocol/policies';
import type { LinkProfile } from '../network/profiles';
import type { Rng } from '../rng';
import { World, type LinkSetup, type WorldOptions } from '../world';

export interface WorkloadOptions {
  protocol: ProtocolName;
  seed?: string | number;
  /** bob's link (the mobile one) and what happens to it. */
  profile?: string | Partial<LinkProfile>;
  mobility?: string[];
  natIdleUs?: number;
  /** alice's link. */
  senderProfile?: string;
  messages?: number;
  /** Mean gap between alice's messages, ms. */
  meanGapMs?: number;
  bodyBytes?: number;
  /** Client options for both (heartbeat, reconnect, ack batching...). */
  client?: Partial<ClientOptions>;
  /** bob's client options on top. */
  receiver?: Partial<ClientOptions>;
  world?: Partial<WorldOptions>;
  /** Stop after this much virtual time even if not all is delivered (default 6 h). */
  limitUs?: number;
  recordWire?: boolean;
}

/** The mobile receiver's acks in the comparisons (queue protocol): every 5 messages or after 2 s. */
export const BATCHED_ACKS: Partial<ClientOptions> = { queue: { ackEvery: 5, ackDelayUs: 2_000_000 } };

export const DEFAULT_CLIENT: Partial<ClientOptions> = {
  heartbeat: HEARTBEAT['fixed-270s'],
  reconnect: RECONNECT.exponential,
};

export function buildWorkload(o: WorkloadOptions): { world: World; bodies: number } {
  const world = new World({
    protocol: o.protocol, seed: o.seed ?? 1, recordWire: o.recordWire,
    serverIdleUs: 3 * 270_000_000, // 3 heartbeats of silence: the connection layer gives up
    client: { ...DEFAULT_CLIENT, ...o.client },
    ...o.world,
  });
  const bobLink: LinkSetup = { profile: o.profile ?? '3g', mobility: o.mobility ?? [], natIdleUs: o.natIdleUs };
  world.addClient('alice', {}, { profile: o.senderProfile ?? 'wifi' });
  world.addClient('bob', o.receiver ?? {}, bobLink).start();
  world.client('alice').start();
  const n = o.messages ?? 1000;
  for (const s of poissonSends(world.kernel.rng('workload'), n, o.meanGapMs ?? 2000, o.bodyBytes ?? 40)) {
    world.kernel.at(s.atUs, () => void world.send('alice', 'bob', s.body));
  }
  return { world, bodies: n };
}

/**
 * The traffic model: n messages at Poisson times (exponential gaps of mean `meanGapMs`), each a
 * numbered body of about `bodyBytes`. The simulator schedules them on its kernel; the load
 * generator (src/server/load/load.ts) on real time.
 */
export function poissonSends(rng: Rng, n: number, meanGapMs: number, bodyBytes = 40): { atUs: number; body: string }[] {
  const gap = meanGapMs * 1000;
  const filler = 'x'.repeat(Math.max(0, bodyBytes - 12));
  const out: { atUs: number; body: string }[] = [];
  let t = 0;
  for (let i = 1; i <= n; i++) {
    t += Math.max(1, Math.round(rng.exp(gap)));
    out.push({ atUs: t, body: `m${String(i).padStart(5, '0')} ${filler}` });
  }
  return out;
}

/** Runs the workload until bob has all N messages and nothing is left to answer, or the limit. */
export function runWorkload(o: WorkloadOptions): World {
  const { world, bodies } = buildWorkload(o);
  const limit = o.limitUs ?? 6 * 3_600_000_000;
  const bob = world.clientsOf('bob');
  const done = () =>
    world.ledger.summary().acked === bodies &&
    bob.every((c) => new Set(world.ledger.log.filter((e) => e.device === c.device).map((e) => e.key)).size === bodies) &&
    [...world.clients.values()].every((c) => c.unanswered === 0 && c.outbox.size === 0);
  const step = 60_000_000;
  while (!done() && world.now < limit) world.runFor(Math.min(step, limit - world.now));
  return world;
}
