// The queue protocol split over two logic processes: a login's read of the List racing a message
// stored by the other process. Logic process A handles bob's login and is paused (a hook on its
// store) around its read of bob's List; meanwhile logic process B stores a new message for bob and
// announces it. Whatever the interleaving, bob must get every message once, in order:
//  - paused before the read: the read sees the new message too (it was pushed twice before the fix);
//  - paused after the read: the new message must not overtake the backlog (it did before the fix).
import { describe, expect, it } from 'vitest';
import { ClientFleet } from '../../../src/server/load/client-fleet';
import { startConnectionProcess } from '../../../src/server/split/connection-process';
import { startLogicProcess, type RunningLogicProcess } from '../../../src/server/split/logic-process';
import type { StoreOp } from '../../../src/logic/store';
import { useRedisServer } from '../../helpers/redis-server';

const shared = useRedisServer();
let n = 0;

/** Holds A's reads of bob's List until `release`: before Redis sees the read, or after it answered. */
function pauseListReads(a: RunningLogicProcess, where: 'before' | 'after') {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reads = 0;
  const run = a.store.run.bind(a.store);
  a.store.run = ((op: StoreOp) => {
    if (op.op !== 'range' || op.mode !== 'queue' || op.user !== 'bob') return run(op);
    reads++;
    if (where === 'before') return gate.then(() => run(op));
    const answer = run(op);
    return gate.then(() => answer);
  }) as typeof a.store.run;
  return { release, get reads() { return reads; } };
}

describe.each(['before', 'after'] as const)('queue protocol, two logic processes, A paused %s its login read', (where) => {
  it('bob gets the backlog and the concurrent message once each, in order', async () => {
    const common = { redisUrl: shared.server.url, redisPrefix: `qr${++n}:`, leaseMs: 60_000 };
    const gw = await startConnectionProcess(common);
    const a = await startLogicProcess({ ...common, protocol: 'queue' });
    let b: RunningLogicProcess | null = null;
    const fleet = new ClientFleet('queue');
    try {
      fleet.add('alice', gw.port);
      await fleet.until('alice online', () => fleet.allOnline);
      for (let i = 1; i <= 3; i++) fleet.send('alice', 'bob', `backlog ${i}`);
      await fleet.until('backlog stored', () => fleet.ledger.counts().acked === 3);

      const pause = pauseListReads(a, where);
      fleet.add('bob', gw.port);
      await fleet.until('A reading bob\'s List', () => pause.reads === 1);
      // A takes nothing more (it finishes what it holds); B takes the rest.
      a.consumer.crash();
      b = await startLogicProcess({ ...common, protocol: 'queue' });
      fleet.send('alice', 'bob', 'concurrent');
      await fleet.until('the concurrent message stored by B', () => fleet.ledger.counts().acked === 4 && b!.logic.stats.stored === 1);
      await new Promise((r) => setTimeout(r, 100)); // let B's announcement reach the connection process
      pause.release();
      await fleet.until('all four delivered', () => fleet.ledger.counts().unique === 4);
      await new Promise((r) => setTimeout(r, 300)); // a late duplicate would arrive now
      expect(fleet.ledger.counts()).toMatchObject({ sent: 4, acked: 4, unique: 4, duplicates: 0, lost: 0, outOfOrder: 0 });
    } finally {
      fleet.stop();
      await gw.close();
      await b?.close();
      await a.close();
    }
  }, 30_000);
});
