// World.serverBacklog and the gateway's view of a socket: the bytes the link model still holds for the
// device, read from the link itself (TcpConnection.queued('down')), so nothing about a connection
// outlives it in the World.
import { describe, expect, it } from 'vitest';
import { World } from '../../src/sim/world';

const MS = 1000;

describe('the socket backlog is what the link still holds', () => {
  it('grows while bytes are on a slow link and is 0 once they arrived', () => {
    const w = new World({ protocol: 'queue', seed: 1 });
    const alice = w.addClient('alice', {}, { profile: 'wifi' });
    const bob = w.addClient('bob', {}, { profile: { name: 'slow', downKbps: 16, upDelayMs: 20, downDelayMs: 20 } });
    alice.start();
    bob.start();
    w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
    for (let i = 0; i < 10; i++) w.send('alice', 'bob', 'x'.repeat(200));
    let peak = 0;
    for (let t = 0; t < 100; t++) {
      w.runFor(10 * MS);
      peak = Math.max(peak, w.serverBacklog('bob').socket);
    }
    expect(peak).toBeGreaterThan(1000); // 2 KB at 16 kbit/s take a second
    w.runUntil(() => w.ledger.summary().applied === 10, 60_000 * MS, 'delivered');
    w.runFor(1000 * MS);
    expect(w.serverBacklog('bob')).toEqual({ socket: 0, held: 0 });
  });

  it('does not count bytes the device dropped (it closed) while the server has not yet heard of the close', () => {
    // bob's uplink is slow to deliver (500 ms) and his downlink quick (10 ms): his FIN reaches the server
    // long after a push the server wrote reached his closed socket and was dropped there.
    const w = new World({ protocol: 'queue', seed: 1 });
    const alice = w.addClient('alice', {}, { profile: 'fixed' });
    const bob = w.addClient('bob', {}, { profile: { name: 'asym', upDelayMs: 500, downDelayMs: 10 } });
    alice.start();
    bob.start();
    w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
    w.runFor(2000 * MS);
    const pushes = w.gateway.stats.pushes;
    bob.stop();
    w.send('alice', 'bob', 'are you there?');
    w.runFor(200 * MS);
    expect(w.gateway.stats.pushes).toBe(pushes + 1); // written to bob's connection (~40 ms), dropped at his closed socket (~50 ms)
    expect(w.gateway.connections).toBe(2); // the server still holds bob's connection: his FIN is on its way
    expect(w.serverBacklog('bob').socket).toBe(0);
    w.runFor(1000 * MS);
    expect(w.gateway.connections).toBe(1);
  });
});
