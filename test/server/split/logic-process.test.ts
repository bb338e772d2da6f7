// A logic process whose reply write fails: Redis refuses the MULTI carrying a request's replies and
// its ack (EXECABORT), so nothing of it runs. The replies and the ack must be sent again soon,
// not left to the stuck-entry check a minute later while the connection's later requests wait.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientFleet } from '../../../src/server/load/client-fleet';
import { startConnectionProcess } from '../../../src/server/split/connection-process';
import { startLogicProcess } from '../../../src/server/split/logic-process';
import { useRedisServer } from '../../helpers/redis-server';

const shared = useRedisServer();

/**
 * A TCP proxy to Redis that, once armed, spoils the next RPUSH it forwards (the logic process's only
 * one, in its reply MULTI) into an unknown command of the same length: Redis refuses it while
 * queueing, so the whole transaction fails with EXECABORT and nothing of it runs.
 */
async function startMultiSpoiler(targetPort: number) {
  let armed = false;
  let spoiled = 0;
  const socks = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    socks.add(client).add(upstream);
    const kill = () => (client.destroy(), upstream.destroy());
    client.on('data', (d: Buffer) => {
      if (armed) {
        const text = d.toString('latin1');
        const at = text.search(/\$5\r\nrpush\r\n/i);
        if (at >= 0) {
          armed = false;
          spoiled++;
          d = Buffer.from(text.slice(0, at) + '$5\r\nrpusX\r\n' + text.slice(at + 11), 'latin1');
        }
      }
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    for (const s of [client, upstream]) s.on('error', kill).on('close', kill);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    arm: () => void (armed = true),
    get spoiled() {
      return spoiled;
    },
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      server.close(() => r());
    }),
  };
}

describe('logic process', () => {
  it('a failed reply write is sent again at once: the sender is answered and the message delivered, without the stuck-entry check', async () => {
    const proxy = await startMultiSpoiler(shared.server.port);
    const prefix = 'lp1:';
    const gw = await startConnectionProcess({ redisUrl: shared.server.url, redisPrefix: prefix });
    // Default lease: the stuck-entry check would hand the lost request out again only after 60 s.
    const logic = await startLogicProcess({ redisUrl: proxy.url, redisPrefix: prefix, protocol: 'versioned' });
    const fleet = new ClientFleet('versioned');
    try {
      fleet.add('alice', gw.port);
      fleet.add('bob', gw.port);
      await fleet.until('online', () => fleet.allOnline);
      proxy.arm();
      for (let i = 0; i < 5; i++) fleet.send('alice', 'bob', `m${i}`);
      await fleet.until('all acknowledged and delivered', () => fleet.ledger.counts().unique === 5, 15_000);
      expect(proxy.spoiled).toBe(1);
      expect(logic.writes.writeFailures).toBeGreaterThanOrEqual(1);
      expect(logic.writes.gaveUp).toBe(0);
      expect(logic.consumer.stats.reclaimedOwn).toBe(0); // not through the stuck-entry check
      expect(fleet.ledger.counts()).toMatchObject({ sent: 5, acked: 5, unique: 5, lost: 0, outOfOrder: 0 });
      // and its acks went out: nothing pending in the queue
      await fleet.until('queue drained', () => logic.consumer.inFlight === 0 && gw.backlog === 0);
      const deadline = Date.now() + 5000;
      let pending = -1;
      while (Date.now() < deadline && (pending = Number(((await shared.admin.xpending(`${prefix}up`, 'logic')) as [number])[0])) > 0) await new Promise((r) => setTimeout(r, 20));
      expect(pending).toBe(0);
    } finally {
      fleet.stop();
      await gw.close();
      await logic.close();
      await proxy.close();
    }
  }, 30_000);
});
