// The chaos proxy over real loopback sockets: the simulator's link model applied to real TCP.
// Assertions are about bytes, order and who learns what -- never about how fast anything is
// (the time checks are lower bounds the model guarantees: nothing arrives before its delay).
// Where the outcome depends on modelled time (NAT idle expiry, connect give-up, "nothing arrives
// for a while"), the proxy runs on the simulator's Kernel, advanced by the test, so a busy machine
// cannot change it.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/server/proxy/index';
import { Kernel } from '../../src/sim/kernel';
import type { LinkProfile } from '../../src/sim/network/profiles';
import { until } from '../helpers/until';

interface Target {
  port: number;
  conns: net.Socket[];
  received: () => Buffer;
  events: string[];
  close(): Promise<void>;
}

/** A target that records what it receives and how its connections end; `echo` sends it back. */
async function target(echo = false): Promise<Target> {
  const conns: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const events: string[] = [];
  const server = net.createServer((s) => {
    conns.push(s);
    s.on('data', (b) => {
      chunks.push(b);
      if (echo) s.write(b);
    });
    s.on('end', () => events.push('end'));
    s.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
    s.on('close', () => events.push('close'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port, conns, events,
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((r) => {
      for (const c of conns) c.destroy();
      server.close(() => r());
    }),
  };
}

const fast = (x: Partial<LinkProfile>): Partial<LinkProfile> => ({
  name: 'test', downKbps: 0, upKbps: 0, downDelayMs: 1, upDelayMs: 1, jitterMs: 0, loss: 0, radioTailMs: 0, ...x,
});

/** Runs the kernel's due events (the link model's work so far), then checks `cond`: for until(). */
const stepped = (k: Kernel, cond: () => boolean) => () => {
  k.run();
  return cond();
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(port: number): Promise<net.Socket & { got: () => Buffer; events: string[] }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1') as net.Socket & { got: () => Buffer; events: string[] };
    const chunks: Buffer[] = [];
    s.events = [];
    s.got = () => Buffer.concat(chunks);
    s.on('data', (b) => chunks.push(b));
    s.on('end', () => s.events.push('end'));
    s.on('error', (e: NodeJS.ErrnoException) => s.events.push(`error ${e.code}`));
    s.on('close', () => s.events.push('close'));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Deterministic pseudo-random bytes (no Math.random in the test either). */
function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(opts: Partial<ProxyOptions>, echo = false): Promise<{ t: Target; p: RunningProxy; lines: string[] }> {
  const t = await target(echo);
  const lines: string[] = [];
  const p = await startProxy({ target: { host: '127.0.0.1', port: t.port }, log: (l) => lines.push(l), ...opts });
  cleanup.push(() => t.close(), () => p.close());
  return { t, p, lines };
}

describe('chaos proxy', () => {
  it('a lossy, narrow link delivers every byte intact and in order, both ways (loss = retransmission stalls)', async () => {
    const { t, p } = await setup({ profile: fast({ loss: 0.2, upKbps: 4000, downKbps: 4000, jitterMs: 3 }), seed: 3 }, true);
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    const data = bytes(60_000);
    // written in uneven pieces, as an application would
    for (let off = 0, k = 1; off < data.length; k++) {
      const n = Math.min(data.length - off, (k * 977) % 9000 + 1);
      c.write(data.subarray(off, off + n));
      off += n;
    }
    await until('all bytes at the target and back', () => c.got().length >= data.length, 30_000);
    expect(t.received().equals(data)).toBe(true);
    expect(c.got().equals(data)).toBe(true);
    expect(p.stats.retransmissions).toBeGreaterThan(0); // the loss model was at work
    expect(p.stats).toMatchObject({ bytesUp: data.length, bytesDown: data.length, reset: 0 });
  });

  it('the retransmission count is a running total: it stays when connections close and their devices go', async () => {
    const k = new Kernel();
    const { t, p } = await setup({ profile: fast({ loss: 0.3 }), seed: 4, clock: k }, true);
    const a = await connect(p.port);
    const b = await connect(p.port);
    cleanup.push(async () => void a.destroy(), async () => void b.destroy());
    const data = bytes(20_000);
    a.write(data);
    b.write(data);
    await until('both echoed', stepped(k, () => a.got().length === data.length && b.got().length === data.length));
    expect(t.received().length).toBe(2 * data.length);
    const lost = p.stats.retransmissions;
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe([...p.devices.values()].reduce((n, d) => n + d.retransmissions, 0)); // each loss counted once
    a.end();
    b.end();
    await until('both connections gone', stepped(k, () => p.stats.open === 0));
    expect(p.devices.size).toBe(0); // each connection's own device left with it
    expect(p.stats.retransmissions).toBeGreaterThanOrEqual(lost); // the FINs may have been lost too
  });

  it('really delays: a round trip takes at least the two one-way delays of the profile', async () => {
    const { p, lines } = await setup({ profile: fast({ upDelayMs: 120, downDelayMs: 80 }) }, true);
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    await until('modelled handshake done', () => lines.some((l) => l.includes('#1 connected')));
    const t0 = process.hrtime.bigint();
    c.write('ping');
    await until('echo', () => c.got().toString() === 'ping');
    const rttMs = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(rttMs).toBeGreaterThanOrEqual(200 - 1); // a lower bound the model guarantees (timers never fire early)
  });

  it('bytes written before the modelled handshake completes are held, then delivered in order', async () => {
    const { t, p } = await setup({ profile: fast({ upDelayMs: 60, downDelayMs: 60 }) });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.write('one ');
    c.write('two ');
    await until('held bytes', () => t.received().length === 8);
    expect(t.received().toString()).toBe('one two ');
  });

  it('a FIN travels behind the data, each way', async () => {
    const { t, p } = await setup({ profile: fast({}) });
    const c = await connect(p.port);
    c.end('last words');
    await until('server saw the FIN', () => t.events.includes('end'));
    expect(t.received().toString()).toBe('last words');
    await until('client closed', () => c.events.includes('close'));
    expect(c.events.some((e) => e.startsWith('error'))).toBe(false);
    expect(p.stats.closed).toBe(1);
  });

  it('a reset closes both sides: the client at once, the server one trip later', async () => {
    const { t, p, lines } = await setup({ profile: fast({}) });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.write('hello');
    await until('hello through', () => t.received().toString() === 'hello');
    p.resetAll('test reset');
    await until('client closed', () => c.events.includes('close'));
    await until('server closed', () => t.events.includes('close'));
    expect(c.events).toContain('error ECONNRESET');
    expect(t.events).toContain('error ECONNRESET');
    expect(p.stats.reset).toBe(1);
    expect(lines.some((l) => l.includes('reset of 1 connection'))).toBe(true);
  });

  it('a half-open cut swallows bytes both ways while both sockets stay open', async () => {
    const k = new Kernel();
    const { t, p, lines } = await setup({ profile: fast({}), clock: k });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.write('before');
    await until('before through', stepped(k, () => t.received().toString() === 'before'));
    p.cutAll();
    c.write(' after');
    t.conns[0].write('from the server');
    await until('both writes in the model', () => p.flows()[0]?.up === 6 && p.flows()[0]?.down === 15);
    k.run({ until: k.now + 60_000_000 }); // a modelled minute: 30 000x the one-way delay, retransmitting all along
    expect(p.stats).toMatchObject({ bytesUp: 6, bytesDown: 0 }); // the model handed nothing more over
    expect(p.flows()[0]).toMatchObject({ up: 6, down: 15 }); // still held, as TCP holds unacknowledged data
    expect(t.received().toString()).toBe('before');
    expect(c.got().length).toBe(0);
    expect(c.destroyed).toBe(false);
    expect(t.conns[0].destroyed).toBe(false);
    expect(c.events).toEqual([]);
    expect(lines.some((l) => l.includes('half-open cut of 1 connection'))).toBe(true);
  });

  it('NAT expiry: after the idle timeout the mapping is gone; the next packet from the device is reset', async () => {
    const k = new Kernel();
    const { t, p, lines } = await setup({ profile: fast({}), natIdleUs: 400_000, clock: k });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.write('a');
    await until('a through', stepped(k, () => t.received().toString() === 'a'));
    k.run({ until: k.now + 300_000 }); // idle, but less than the NAT keeps a mapping
    c.write('b'); // the mapping lives
    await until('b through', stepped(k, () => t.received().toString() === 'ab'));
    k.run({ until: k.now + 900_000 }); // idle longer than the NAT keeps a mapping
    c.write('c');
    await until('client reset', stepped(k, () => c.events.includes('close')));
    expect(c.events).toContain('error ECONNRESET');
    expect(t.received().toString()).toBe('ab'); // 'c' never reached the server
    expect(t.events).not.toContain('close'); // the server knows nothing yet (it learns only by giving up)
    expect(lines.some((l) => l.includes('NAT mapping expired'))).toBe(true);
  });

  it('a blackhole: the modelled handshake never completes and the connect gives up', async () => {
    const k = new Kernel();
    const { t, p, lines } = await setup({ profile: fast({ loss: 1 }), giveUpUs: 1_500_000, clock: k });
    const c = await connect(p.port);
    c.write('anyone?');
    await until('client reset', stepped(k, () => c.events.includes('close')));
    expect(k.now).toBe(1_500_000); // SYNs at 0 and 1 s, then the give-up: modelled time, whatever the machine's speed
    expect(t.conns.length).toBe(0);
    expect(p.stats.failed).toBe(1);
    expect(lines.some((l) => l.includes('connect failed: connect timed out'))).toBe(true);
  });

  it('backpressure: a sender faster than the link is held to the window; every byte arrives in order', async () => {
    const window = 128 * 1024;
    // 40 Mbit/s: far slower than a loopback sender, fast enough to move 20 MB in seconds
    const { t, p } = await setup({ profile: fast({ upKbps: 40_000 }), window });
    const data = bytes(20 * 1024 * 1024, 11);
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    let peak = 0;
    let samples = 0;
    const sample = () => {
      const b = p.buffered().up;
      if (b > peak) peak = b;
      samples++;
    };
    const timer = setInterval(sample, 2);
    cleanup.push(async () => clearInterval(timer));
    // the sender writes as fast as its socket takes it
    let off = 0;
    const pump = () => {
      while (off < data.length) {
        const n = Math.min(64 * 1024, data.length - off);
        const more = c.write(data.subarray(off, off + n));
        off += n;
        sample();
        if (!more) return void c.once('drain', pump);
      }
    };
    pump();
    await until('20 MB at the target', () => t.received().length >= data.length, 60_000);
    clearInterval(timer);
    expect(t.received().equals(data)).toBe(true);
    expect(samples).toBeGreaterThan(100);
    const chunk = 64 * 1024; // one socket read: what is read in the moment the window is crossed
    expect(peak).toBeGreaterThan(window / 2); // the link was the bottleneck: the window filled
    expect(peak).toBeLessThanOrEqual(window + chunk);
    expect(p.stats.peakBuffered).toBeLessThanOrEqual(window + chunk); // the proxy's own high-water mark
    expect(p.stats.pauses).toBeGreaterThan(0);
    expect(p.stats.bytesUp).toBe(data.length);
  });

  it("backpressure from a slow reader: the destination's unread bytes count; the source waits for it", async () => {
    const window = 64 * 1024;
    const { t, p } = await setup({ profile: fast({}), window });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.pause(); // the device's app does not read
    c.write('go');
    await until('connected through', () => t.conns.length === 1 && t.received().length === 2);
    const data = bytes(24 * 1024 * 1024, 5); // more than loopback's kernel buffers hold
    t.conns[0].write(data); // the server pushes it all at once
    await until('the proxy stopped reading the server', () => p.flows()[0]?.downPaused === true);
    await sleep(200);
    const held = p.flows()[0];
    expect(held.downPaused).toBe(true);
    expect(held.down).toBeLessThanOrEqual(window + 64 * 1024);
    expect(t.conns[0].writableLength).toBeGreaterThan(0); // the rest waits at the server, as with real TCP
    c.resume();
    await until('all of it at the device', () => c.got().length >= data.length + 0, 60_000);
    expect(c.got().equals(data)).toBe(true);
    expect(p.stats.peakBuffered).toBeLessThanOrEqual(window + 64 * 1024);
  });

  it("a server's reset reaches the device as a reset, one trip later (not as a FIN behind the data)", async () => {
    const { t, p, lines } = await setup({ profile: fast({ downDelayMs: 150 }) });
    const c = await connect(p.port);
    cleanup.push(async () => void c.destroy());
    c.write('hi');
    await until('hi through', () => t.received().toString() === 'hi');
    const t0 = process.hrtime.bigint();
    t.conns[0].resetAndDestroy();
    await until('device closed', () => c.events.includes('close'));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(c.events).toContain('error ECONNRESET');
    expect(c.events).not.toContain('end');
    expect(ms).toBeGreaterThanOrEqual(150 - 1); // a lower bound the model guarantees: the RST's one-way delay
    expect(p.stats).toMatchObject({ reset: 1, closed: 0 });
    expect(lines.some((l) => l.includes('server side: reset by the server'))).toBe(true);
    expect(lines.some((l) => l.includes('device side: reset by the server'))).toBe(true);
  });

  it('connections of one named device share its link; others are devices of their own', async () => {
    const t = await target(true);
    let dev: ReturnType<RunningProxy['device']> | undefined;
    const p = await startProxy({ target: { host: '127.0.0.1', port: t.port }, profile: fast({}), deviceOf: () => dev });
    cleanup.push(() => t.close(), () => p.close());
    dev = p.device('phone', { profile: fast({ upDelayMs: 2 }) });
    const a = await connect(p.port);
    const b = await connect(p.port);
    cleanup.push(async () => void a.destroy(), async () => void b.destroy());
    a.write('x');
    b.write('y');
    await until('echoes', () => a.got().length === 1 && b.got().length === 1);
    expect(dev.live).toBe(2);
    expect(dev.bytesUp).toBeGreaterThan(0);
    expect([...p.devices.keys()]).toEqual(['phone']);
  });
});
