// The real server feeding the deck's monitoring: real TCP clients that declare their platform, the
// monitor's numbers against the server's own counts, `stats` over RESP, and the invariants at rest.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor';
import { mediaRef } from '../../src/protocol/messages';
import { makeToken } from '../../src/protocol/token';
import type { ImClient } from '../../src/protocol/client';
import { tcpClient } from '../../src/server/tcp-client';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { until } from '../helpers/until';

let server: RunningServer;
const monitor = new Monitor();
beforeAll(async () => {
  server = await startServer({ protocol: 'versioned', port: 0, monitor });
});
afterAll(async () => {
  await server.close();
});


function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => {
      text += d.toString();
      const m = /^\$(\d+)\r\n/.exec(text);
      if (m && text.length >= m[0].length + Number(m[1]) + 2) {
        s.destroy();
        resolve(text.slice(m[0].length, m[0].length + Number(m[1])));
      }
    });
    s.on('error', reject);
    s.write(bytes);
  });
}

describe('imsim serve with a monitor', () => {
  it('counts sessions by platform, requests and messages by kind; stats reports them; invariants hold at rest', async () => {
    const got: string[] = [];
    const clients: ImClient[] = [];
    const at = { host: server.host, port: server.port };
    const alice = tcpClient({ user: 'alice', token: makeToken('alice'), protocol: 'versioned', platform: 'ios', reconnect: 'never' }, at);
    const bob = tcpClient({ user: 'bob', token: makeToken('bob'), protocol: 'versioned', platform: 'android', reconnect: 'never' }, at, {
      applied: (m) => void got.push(m.body),
    });
    clients.push(alice, bob);
    for (const c of clients) c.start();
    await until('both online', () => clients.every((c) => c.state === 'online'));
    for (let i = 0; i < 5; i++) alice.send('bob', `hello ${i}`);
    alice.send('bob', mediaRef('image/jpeg', 'c0'.repeat(32)));
    await until('bob has all six', () => got.length === 6 && alice.outbox.size === 0);

    expect([monitor.current('tot-ses'), monitor.current('session'), monitor.current('ios'), monitor.current('android')]).toEqual([2, 2, 1, 1]);
    expect([monitor.messageTotal('text'), monitor.messageTotal('image')]).toEqual([5, 1]);
    await until('replies out', () => server.backlog === 0 && clients.every((c) => c.unanswered === 0));
    expect(monitor.totals().cmd).toBe(server.gateway.stats.cmd);
    expect(Math.abs(monitor.now - Date.now() * 1000)).toBeLessThan(61e6); // epoch time: "yesterday" is yesterday

    const stats = await raw('STATS sessions platforms totals\r\n');
    expect(stats).toContain('\r\ntot-ses:3\r\niop-ses:1\r\n'); // the raw connection itself is a physical one
    expect(stats).toContain('\r\nios:1\r\n');
    expect(stats).toContain('\r\nandroid:2\r\n');
    expect(stats).toContain('\r\ntext_total:5\r\nimage_total:1');

    await new Promise((r) => setTimeout(r, 250)); // the cmdq sampler runs every 100 ms
    expect(monitor.current('cmdq')).toBe(0);
    expect(monitor.violations({ atRest: true })).toEqual([]);
    for (const c of clients) c.stop();
    await until('all closed', () => monitor.current('tot-ses') === 0);
    expect(monitor.violations({ atRest: true })).toEqual([]);
  });
});
