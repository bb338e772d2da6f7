// Client message ids carry the client's incarnation: a restarted client (a second `imsim client`,
// a second `imsim load` run) must not reuse the ids of the first run, or the store drops its
// messages as repeats while the server still answers +OK.
import { afterEach, describe, expect, it } from 'vitest';
import { ImClient, drawIncarnation } from '../../src/protocol/client';
import { MemoryStore } from '../../src/logic/memory-store';
import { makeToken } from '../../src/protocol/token';
import { ClientFleet } from '../../src/server/load/client-fleet';
import { newIncarnation } from '../../src/server/incarnation';
import { RealRun } from '../../src/server/load/load';
import { tcpClient } from '../../src/server/tcp-client';
import { startServer, type RunningServer } from '../../src/server/tcp-server';
import { makeRng } from '../../src/sim/rng';
import { World } from '../../src/sim/world';
import { until } from '../helpers/until';

let server: RunningServer | null = null;
const stoppers: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stoppers.splice(0)) stop();
  await server?.close();
  server = null;
});

/** What bob's mailbox holds (queue protocol: bob never logs in, so everything stays). */
function bodiesFor(s: RunningServer, user: string): string[] {
  if (!(s.store instanceof MemoryStore)) throw new Error('these tests run on the embedded store');
  return s.store.apply({ op: 'range' as const, mode: 'queue' as const, user, after: 0, limit: 100 }).msgs.map((m) => m.body);
}

describe('client incarnation', () => {
  it('two runs of a fleet client for the same user and device both get their first message stored', async () => {
    server = await startServer({ protocol: 'queue', port: 0 });
    const s = server;
    for (const run of ['first run', 'second run']) {
      const fleet = new ClientFleet('queue');
      stoppers.push(() => fleet.stop());
      const alice = fleet.add('alice', s.port);
      await fleet.until('alice online', () => alice.state === 'online', 10_000);
      fleet.send('alice', 'bob', run);
      await fleet.until('acked', () => fleet.ledger.summary().acked === 1, 10_000);
      fleet.stop();
    }
    expect(bodiesFor(s, 'bob')).toEqual(['first run', 'second run']);
  });

  it('two load runs against one server both store all their messages', async () => {
    server = await startServer({ protocol: 'queue', port: 0 });
    const s = server;
    for (const run of [1, 2]) {
      const r = await RealRun.start({ protocol: 'queue', server: { host: s.host, port: s.port }, seed: 7 }); // same seed both times
      const alice = r.add('alice', {}, { reconnect: 'never' });
      stoppers.push(() => alice.stop());
      await until('alice online', () => alice.state === 'online');
      for (let i = 0; i < 3; i++) r.send('alice', 'bob', `run ${run} message ${i}`);
      await until('all acked', () => r.acked === 3);
      alice.stop();
    }
    expect(bodiesFor(s, 'bob')).toEqual([1, 2].flatMap((run) => [0, 1, 2].map((i) => `run ${run} message ${i}`)));
  });

  it('ImClients built with the same user and device but fresh incarnations both store over real sockets', async () => {
    server = await startServer({ protocol: 'queue', port: 0 });
    const s = server;
    const sent: string[] = [];
    for (const run of ['one', 'two']) {
      const c = tcpClient({ user: 'alice', token: makeToken('alice'), protocol: 'queue', reconnect: 'never', incarnation: newIncarnation() },
        { host: s.host, port: s.port });
      stoppers.push(() => c.stop());
      c.start();
      await until('online', () => c.state === 'online');
      sent.push(c.send('bob', run));
      await until('acked', () => c.outbox.size === 0);
      c.stop();
    }
    expect(sent[0]).not.toBe(sent[1]);
    expect(bodiesFor(s, 'bob')).toEqual(['one', 'two']);
  });

  it('cmids are <device>-<incarnation>-<n>, the incarnation short and from the client\'s seeded stream in the simulator', () => {
    const cmidsOf = (seed: number) => {
      const w = new World({ protocol: 'versioned', seed });
      const a = w.addClient('alice');
      return { inc: a.incarnation, cmid: a.send('bob', 'hi') };
    };
    const a = cmidsOf(1);
    expect(a.cmid).toMatch(/^alice-d1-[0-9a-z]{6}-1$/);
    expect(a.cmid).toBe(`alice-d1-${a.inc}-1`);
    expect(cmidsOf(1)).toEqual(a); // deterministic
    expect(cmidsOf(2).inc).not.toBe(a.inc); // another seed, another incarnation
  });

  it('drawIncarnation covers 6 base36 characters; newIncarnation differs from run to run; a bad incarnation is refused', () => {
    expect(drawIncarnation({ next: () => 0 })).toBe('000000');
    expect(drawIncarnation({ next: () => 0.999999999999 })).toBe('zzzzzz');
    const rng = makeRng('x');
    const draws = new Set(Array.from({ length: 1000 }, () => drawIncarnation(rng)));
    expect(draws.size).toBe(1000);
    const fresh = new Set(Array.from({ length: 100 }, () => newIncarnation()));
    expect(fresh.size).toBe(100);
    for (const inc of fresh) expect(inc).toMatch(/^[0-9a-z]{6}$/);
    const noop = { connect() {}, write() {}, close() {} };
    const sched = { now: () => 0, setTimer: () => 0, clearTimer() {} };
    expect(() => new ImClient({ user: 'a', token: 't', protocol: 'queue', incarnation: 'a-b' }, noop, sched)).toThrow(/letters and digits/);
  });
});
