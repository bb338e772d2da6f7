// The load generator: real clients against a real `imsim serve`, through the chaos proxy, judged
// by the simulator's ledger. Real runs are not deterministic; what is checked is delivery, message
// by message (nothing lost, nothing applied twice with the versioned protocol), never speed.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RealRun, runLoad, runRealWorkload } from '../../../src/server/load/load';
import { startServer, type RunningServer } from '../../../src/server/tcp-server';
import { runWorkload } from '../../../src/sim/scenarios/workload';
import type { LinkProfile } from '../../../src/sim/network/profiles';
import type { ProtocolName } from '../../../src/protocol/messages';
import { until } from '../../helpers/until';

const lossy: Partial<LinkProfile> = {
  name: 'test-lossy', downKbps: 2000, upKbps: 1000, downDelayMs: 5, upDelayMs: 8, jitterMs: 4, loss: 0.05, radioTailMs: 100,
};

let servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function serve(protocol: ProtocolName): Promise<RunningServer> {
  const s = await startServer({ protocol, port: 0 });
  servers.push(s);
  return s;
}

const refused = (port: number) => new Promise<boolean>((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(false);
  });
  s.once('error', () => resolve(true));
});

describe('imsim load', () => {
  it('versioned protocol through a lossy proxy against imsim serve: everything delivered, nothing lost, nothing applied twice', async () => {
    const server = await serve('versioned');
    const progress: string[] = [];
    const r = await runLoad({
      clients: 30, durationMs: 1500, rate: 4, protocol: 'versioned', port: server.port, profile: lossy, seed: 2, drainMs: 20_000,
      progressEveryMs: 200, onProgress: (p) => progress.push(p.phase),
    });
    expect(r.complete).toBe(true);
    expect(r.delivery.sent).toBeGreaterThan(50);
    expect(r.delivery).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, pending: 0, acked: r.delivery.sent, unique: r.delivery.sent });
    expect(r.proxy!.accepted).toBeGreaterThanOrEqual(30);
    expect(r.metrics.bytesPerMessage).toBeGreaterThan(0); // counted on the modelled links
    expect(r.metrics.roundTripsPerMessage).toBeGreaterThan(1);
    expect(progress).toContain('sending');
    expect(progress[progress.length - 1]).toBe('done');
    expect(server.gateway).toBeDefined();
  });

  it('connections reset mid-run: the versioned protocol still loses nothing and applies nothing twice', async () => {
    const server = await serve('versioned');
    const run = await RealRun.start({
      protocol: 'versioned', server: { host: '127.0.0.1', port: server.port }, proxy: true, seed: 4,
      client: { reconnect: { kind: 'fixed', delayUs: 50_000 } },
    });
    try {
      const users = ['a', 'b', 'c', 'd'];
      for (const u of users) run.add(u, { profile: lossy });
      await until('online', () => run.online === 4, 20_000);
      for (let i = 0; i < 40; i++) {
        run.send(users[i % 4], users[(i + 1) % 4], `m${i}`);
        if (i === 15) run.proxy!.resetAll('test reset');
        if (i === 30) {
          // every client back after the reset (not a matter of how fast this machine is), then a half-open cut:
          // nothing gets through, nobody is told
          await until('all logged in again after the reset', () => [...run.clients.values()].every((c) => c.stats.logins >= 2 && c.state === 'online'), 20_000);
          run.proxy!.cutAll();
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      // After the half-open cut nothing gets through until the connections are replaced: drop them as a
      // heartbeat timeout would, and the clients reconnect and catch up.
      for (const c of run.clients.values()) c.drop();
      await until('settled', () => run.settled, 20_000);
      const d = run.ledger.summary();
      expect(d).toMatchObject({ sent: 40, acked: 40, unique: 40, lost: 0, duplicates: 0, outOfOrder: 0 });
      expect(run.metrics().reconnects).toBeGreaterThanOrEqual(8); // one after the reset, one after the drop, per client
      expect(run.proxy!.stats.reset).toBeGreaterThanOrEqual(4);
    } finally {
      await run.stop();
    }
  });

  it('queue protocol with resets: nothing lost (duplicates are the protocol\'s known cost)', async () => {
    const server = await serve('queue');
    const run = await RealRun.start({
      protocol: 'queue', server: { host: '127.0.0.1', port: server.port }, proxy: true, seed: 5,
      client: { reconnect: { kind: 'fixed', delayUs: 50_000 } },
    });
    try {
      for (const u of ['a', 'b']) run.add(u, { profile: lossy });
      await until('online', () => run.online === 2, 20_000);
      for (let i = 0; i < 30; i++) {
        run.send('a', 'b', `m${i}`);
        if (i % 10 === 9) run.proxy!.resetAll();
        await new Promise((r) => setTimeout(r, 10));
      }
      await until('settled', () => run.settled, 20_000);
      expect(run.ledger.summary()).toMatchObject({ sent: 30, acked: 30, unique: 30, lost: 0 });
    } finally {
      await run.stop();
    }
  });

  it('starts a server of its own without --port, and stops it', async () => {
    let port = 0;
    const r = await runLoad({
      clients: 3, durationMs: 300, rate: 10, onProgress: () => {}, seed: 1,
    });
    port = Number(/:(\d+)/.exec(r.server)![1]);
    expect(r.server).toContain('started by imsim load');
    expect(r.profile).toBe('direct');
    expect(r.proxy).toBeNull();
    expect(r.delivery).toMatchObject({ lost: 0, duplicates: 0 });
    expect(r.delivery.unique).toBe(r.delivery.sent);
    expect(await refused(port)).toBe(true);
  });

  it('two runs against one server: both lose nothing and apply nothing twice (each run has its own users)', async () => {
    const server = await serve('versioned');
    const opts = { clients: 6, durationMs: 600, rate: 10, protocol: 'versioned' as const, port: server.port, seed: 3, drainMs: 10_000 };
    const first = await runLoad(opts);
    const second = await runLoad(opts);
    expect(first.usersPrefix).toMatch(/^r[0-9a-z]{3}$/);
    expect(second.usersPrefix).not.toBe(first.usersPrefix);
    for (const r of [first, second]) {
      expect(r.complete).toBe(true);
      expect(r.delivery.sent).toBeGreaterThan(10);
      expect(r.delivery).toMatchObject({ lost: 0, duplicates: 0, pending: 0, unique: r.delivery.sent });
      expect(r.ignoredDeliveries).toBe(0);
    }
  });

  it('the same users twice (--users-prefix fixed): the earlier run\'s messages are ignored and counted, nothing is lost', async () => {
    const server = await serve('versioned');
    const opts = { clients: 4, durationMs: 500, rate: 10, protocol: 'versioned' as const, port: server.port, seed: 5, drainMs: 10_000, usersPrefix: 'same' };
    const first = await runLoad(opts);
    const second = await runLoad(opts);
    expect(first.ignoredDeliveries).toBe(0);
    // The versioned clients sync bob's mailbox from cursor 0: every message of the first run comes again.
    expect(second.ignoredDeliveries).toBe(first.delivery.sent);
    expect(second.complete).toBe(true);
    expect(second.delivery).toMatchObject({ lost: 0, duplicates: 0, pending: 0, unique: second.delivery.sent });
    await expect(runLoad({ ...opts, usersPrefix: 'no spaces' })).rejects.toThrow(/--users-prefix takes letters/);
  });

  it('says what to do when the server is not there', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expect(runLoad({ clients: 2, durationMs: 100, port, connectMs: 500 })).rejects.toThrow(/logged in within 500 ms: is the server at 127\.0\.0\.1:\d+ running/);
  });
});

describe('one scenario, simulated and real', () => {
  it('the workload for real sends the simulator\'s messages at its times, and the outcome is the same', async () => {
    const common = { protocol: 'versioned' as const, profile: '3g', messages: 40, meanGapMs: 20, seed: 9 };
    const sim = runWorkload({ ...common, limitUs: 3_600_000_000 });
    const real = await runRealWorkload({ ...common, drainMs: 20_000 });
    expect(real.complete).toBe(true);
    // the same messages, the same bodies, in the same order, on bob's screen
    const bodies = (log: { user: string; body: string }[]) => log.filter((e) => e.user === 'bob').map((e) => e.body);
    expect(bodies(real.run.ledger.log)).toEqual(bodies(sim.ledger.log));
    const pick = ({ sent, acked, unique, lost, duplicates, outOfOrder }: Record<string, number>) => ({ sent, acked, unique, lost, duplicates, outOfOrder });
    expect(pick(real.metrics.delivery as never)).toEqual(pick(sim.ledger.summary() as never));
    // 3g: 100 ms each way; every message crosses bob's downlink at least once (a lower bound the model guarantees)
    expect(Math.min(...real.latenciesMs)).toBeGreaterThanOrEqual(100);
  });
});
