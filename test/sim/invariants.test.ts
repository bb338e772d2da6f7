// runInvariants on simulated runs: the checks run (a logic-layer restart included) and each one fails
// when the thing it checks is deliberately broken.
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor';
import { runInvariants } from '../../src/sim/invariants';
import { World } from '../../src/sim/world';

const S = 1_000_000;

/** alice sends bob 20 messages, the logic layer restarts, she sends 20 more; runs until all is quiet. */
function chatWithRestart() {
  const monitor = new Monitor();
  const w = new World({ protocol: 'versioned', seed: 11, monitor, logic: { workers: 2 } });
  const alice = w.addClient('alice');
  const bob = w.addClient('bob');
  alice.start();
  bob.start();
  w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
  for (let i = 0; i < 20; i++) w.send('alice', 'bob', `before ${i}`);
  w.runUntil(() => w.ledger.summary().applied === 20, 60 * S, 'first 20 delivered');
  w.restartLogic(2 * S);
  for (let i = 0; i < 20; i++) w.send('alice', 'bob', `after ${i}`);
  w.runUntil(() => w.ledger.summary().applied === 40 && alice.unanswered === 0 && w.gateway.unanswered === 0, 120 * S, 'all 40 delivered');
  w.runFor(2 * S);
  return { w, monitor };
}

describe('messages counted = messages stored, across logic-layer restarts', () => {
  it('holds over a restart: the stored count covers every logic-layer process', () => {
    const { w, monitor } = chatWithRestart();
    expect(w.restarts).toHaveLength(1);
    expect(w.messagesStored).toBe(40);
    expect(w.logic.stats.stored).toBeLessThan(40); // the new process alone stored only its share
    expect(runInvariants(w, monitor, { atRest: true })).toEqual([]);
  });

  it('is checked after a restart: a count off by one is reported', () => {
    const { w, monitor } = chatWithRestart();
    monitor.message(w.now, 'text'); // a message the monitor counts and nobody stored
    const v = runInvariants(w, monitor, { atRest: true });
    expect(v.map((x) => x.rule)).toEqual(['messages counted = messages stored']);
    expect(v[0].detail).toBe('monitor 41, logic layer 40');
  });
});
