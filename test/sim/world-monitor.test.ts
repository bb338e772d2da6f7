// The simulator's World feeds the deck's monitoring exactly as the real server does, for free: the
// monitor schedules nothing, so a monitored run is the very same run (same trace fingerprint).
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor';
import { World } from '../../src/sim/world';

function run(monitor?: Monitor) {
  const w = new World({ protocol: 'versioned', seed: 7, monitor });
  const alice = w.addClient('alice', { platform: 'ios' });
  const bob = w.addClient('bob', { platform: 'wp' });
  w.addClient('carol'); // declares nothing: counted as android
  for (const c of w.clients.values()) c.start();
  w.runUntil(() => [...w.clients.values()].every((c) => c.state === 'online'), undefined, 'all online');
  for (let i = 0; i < 20; i++) w.send('alice', 'bob', `m${i}`);
  w.runUntil(() => w.ledger.summary().applied === 20 && alice.unanswered === 0 && bob.unanswered === 0, undefined, 'delivered');
  w.runFor(1_000_000);
  return w;
}

describe('World with a monitor', () => {
  it('reports sessions by platform, requests, messages and a backlog that drains', () => {
    const monitor = new Monitor();
    const w = run(monitor);
    expect([monitor.current('tot-ses'), monitor.current('session'), monitor.current('ios'), monitor.current('wp'), monitor.current('android')])
      .toEqual([3, 3, 1, 1, 1]);
    expect(monitor.messageTotal('text')).toBe(20);
    expect(monitor.totals().cmd).toBe(w.gateway.stats.cmd);
    expect(monitor.violations({ atRest: true })).toEqual([]);
    w.client('carol').stop();
    w.runFor(1_000_000);
    expect([monitor.current('tot-ses'), monitor.current('android')]).toEqual([2, 0]);
    expect(monitor.violations({ atRest: true })).toEqual([]);
  });

  it('the monitored run is the same run', () => {
    expect(run(new Monitor()).trace.fingerprint()).toBe(run().trace.fingerprint());
  });
});
