// runInvariants on simulated runs: the checks run (a logic-layer restart included) and each one fails
// when the thing it checks is deliberately broken.
import { describe, expect, it } from 'vitest';
import { Monitor, fanOut } from '../../src/monitor';
import type { MonitorSink } from '../../src/monitor/sink';
import { CmdqSamples, runInvariants } from '../../src/sim/invariants';
import { World, type WorldOptions } from '../../src/sim/world';

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

/** A burst of 60 sends into one slow worker: the logic queue builds up and drains. */
function burst(monitor: MonitorSink) {
  const w = new World({ protocol: 'versioned', seed: 5, monitor, logic: { workers: 1, service: { default: { dist: 'exp', mean: 0.004 } } } } as WorldOptions);
  const alice = w.addClient('alice');
  const bob = w.addClient('bob');
  alice.start();
  bob.start();
  w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
  for (let i = 0; i < 60; i++) w.send('alice', 'bob', `m${i}`);
  w.runUntil(() => w.ledger.summary().applied === 60 && alice.unanswered === 0 && bob.unanswered === 0, 120 * S, 'delivered');
  w.runFor(2 * S);
  return w;
}

/** A cmdq feed that passes on only every other sample (the others are lost). */
function everyOther(to: CmdqSamples): MonitorSink {
  let n = 0;
  return { ...to, cmd() {}, htime() {}, error() {}, session() {}, message() {}, cmdq: (t, s, d) => void (n++ % 2 === 0 && to.cmdq(t, s, d)) };
}

describe("Little's law on the sampled cmdq", () => {
  it('the time-averaged cmdq the monitor was fed equals the model\'s L, and λW within end effects', () => {
    const monitor = new Monitor();
    const w = burst(monitor);
    const r = w.logicModel!.report();
    expect(r.little.L).toBeGreaterThan(0.01); // the queue did build up
    expect(w.cmdqSamples!.count).toBeGreaterThan(100);
    expect(w.cmdqSamples!.average(w.now)).toBeCloseTo(r.little.L, 12);
    expect(runInvariants(w, monitor, { atRest: true })).toEqual([]);
  });

  it('a feed that loses samples breaks it', () => {
    const monitor = new Monitor();
    const intact = new CmdqSamples();
    const broken = new CmdqSamples();
    const w = burst(fanOut(monitor, intact, everyOther(broken)));
    expect(runInvariants(w, monitor, { atRest: true, cmdqSamples: intact })).toEqual([]);
    const v = runInvariants(w, monitor, { atRest: true, cmdqSamples: broken });
    expect(v.map((x) => x.rule)).toEqual(["Little's law (sampled cmdq vs λW)"]);
  });

  it('a feed that reports a wrong depth breaks it', () => {
    const monitor = new Monitor();
    const high = new CmdqSamples();
    const w = burst(fanOut(monitor, { ...high, cmd() {}, htime() {}, error() {}, session() {}, message() {}, cmdq: (t, s, d) => high.cmdq(t, s, d > 0 ? d + 1 : 0) }));
    const v = runInvariants(w, monitor, { atRest: true, cmdqSamples: high });
    expect(v.map((x) => x.rule)).toEqual(["Little's law (sampled cmdq vs λW)"]);
  });

  it('a modelled queue whose cmdq was never sampled is reported', () => {
    const monitor = new Monitor();
    const w = burst(monitor);
    const v = runInvariants(w, monitor, { cmdqSamples: new CmdqSamples() });
    expect(v.map((x) => x.detail)).toEqual([expect.stringMatching(/never sampled/)]);
  });
});
