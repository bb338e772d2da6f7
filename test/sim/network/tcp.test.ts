// The link model's TCP semantics, one property at a time, on a bare kernel.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/sim/kernel';
import { DeviceLink } from '../../../src/sim/network/device-link';
import { resolveProfile, type LinkProfile } from '../../../src/sim/network/profiles';
import type { TcpConnection } from '../../../src/sim/network/tcp';

const S = 1_000_000;

function setup(profile: Partial<LinkProfile>, opts: { natIdleUs?: number; giveUpUs?: number } = {}) {
  const k = new Kernel({ seed: 'tcp-test' });
  const link = new DeviceLink(k, k.rng('link'), resolveProfile({ name: 'test', ...profile }), opts);
  const got = { server: [] as string[], client: [] as string[], serverAt: [] as number[], serverClosed: '', clientClosed: '' };
  const conn: TcpConnection = link.open({
    toServer: (b) => {
      got.server.push(Buffer.from(b).toString());
      got.serverAt.push(k.now);
    },
    toClient: (b) => void got.client.push(Buffer.from(b).toString()),
    serverClosed: (why) => void (got.serverClosed = why),
    clientClosed: (why) => void (got.clientClosed = why),
  });
  return { k, link, conn, got };
}

describe('TcpConnection over a DeviceLink', () => {
  it('delivers in order despite jitter and heavy loss; nothing inside a live stream is lost', () => {
    const { k, conn, got } = setup({ upDelayMs: 50, jitterMs: 40, loss: 0.3, upKbps: 0 });
    for (let i = 0; i < 200; i++) conn.clientWrite(Buffer.from(`<${i}>`));
    k.run({ until: 600 * S });
    expect(got.server.join('')).toBe(Array.from({ length: 200 }, (_, i) => `<${i}>`).join(''));
  });

  it('serialises at the bandwidth: a big frame delays what is behind it on the same connection', () => {
    const { k, conn, got } = setup({ upKbps: 200, upDelayMs: 0, jitterMs: 0 });
    conn.clientWrite(new Uint8Array(60_000).fill(120));
    conn.clientWrite(Buffer.from('hi'));
    k.run({ until: 10 * S });
    const hiAt = got.serverAt[got.server.findIndex((s) => s === 'hi')];
    // 60,000 bytes + 42 headers of 40 bytes at 200 kbit/s = 2.47 s
    expect(hiAt).toBeGreaterThanOrEqual(2.4 * S);
    expect(hiAt).toBeLessThan(2.6 * S);
  });

  it('another connection on the same radio is not stuck behind it (turns per segment)', () => {
    const { k, link, conn } = setup({ upKbps: 200, upDelayMs: 0, jitterMs: 0 });
    let at = -1;
    const other = link.open({ toServer: () => void (at = k.now), toClient: () => {}, serverClosed: () => {}, clientClosed: () => {} });
    conn.clientWrite(new Uint8Array(60_000));
    other.clientWrite(Buffer.from('text'));
    k.run({ until: 10 * S });
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(0.2 * S);
  });

  it('a FIN follows the data: the server gets everything, then the close', () => {
    const { k, conn, got } = setup({ upDelayMs: 30, jitterMs: 20 });
    conn.clientWrite(Buffer.from('last words'));
    conn.clientClose();
    k.run({ until: S });
    expect(got.server).toEqual(['last words']);
    expect(got.serverClosed).toBe('closed by the device');
  });

  it('half-open: after a cut nothing arrives and nobody is told, until the sender gives up', () => {
    const { k, conn, got } = setup({ upDelayMs: 30 }, { giveUpUs: 100 * S });
    conn.cut();
    conn.serverWrite(Buffer.from('push'));
    k.run({ until: 99 * S });
    expect(got.client).toEqual([]);
    expect(got.clientClosed).toBe('');
    expect(got.serverClosed).toBe('');
    k.run({ until: 200 * S });
    expect(got.serverClosed).toMatch(/gave up/);
    expect(got.clientClosed).toBe(''); // the device never learns from the server's side
  });

  it("an outage stalls the stream; TCP's backoff delivers after it ends", () => {
    const { k, link, conn, got } = setup({ upDelayMs: 50, jitterMs: 0 });
    link.outage = true;
    k.at(30 * S, () => void (link.outage = false));
    conn.clientWrite(Buffer.from('during'));
    k.run({ until: 120 * S });
    expect(got.server).toEqual(['during']);
    expect(got.serverAt[0]).toBeGreaterThanOrEqual(30 * S);
    expect(got.serverClosed).toBe('');
  });

  it("carrier NAT expiry: the device's next packet is reset; the server is not told", () => {
    const { k, conn, got } = setup({ upDelayMs: 50, downDelayMs: 50, jitterMs: 0 }, { natIdleUs: 300 * S });
    conn.clientWrite(Buffer.from('hello'));
    k.run({ until: 400 * S });
    conn.clientWrite(Buffer.from('ping'));
    k.run({ until: 401 * S });
    expect(got.server).toEqual(['hello']);
    expect(got.clientClosed).toMatch(/NAT/);
    expect(got.serverClosed).toBe('');
  });

  it('handover: the device\'s sockets die at once, the server side stays half-open', () => {
    const { k, link, got } = setup({ upDelayMs: 50 });
    link.handover(resolveProfile('lte'));
    k.run({ until: 10 * S });
    expect(got.clientClosed).toMatch(/handover/);
    expect(got.serverClosed).toBe('');
    expect(link.profile.name).toBe('lte');
  });

  it('counts radio wake-ups: packets that find the radio idle after its tail', () => {
    const { k, link, conn } = setup({ upDelayMs: 10, radioTailMs: 5000 });
    conn.clientWrite(Buffer.from('a'));
    k.run({ until: 1 * S });
    conn.clientWrite(Buffer.from('b')); // within the tail: no new wake-up
    k.run({ until: 20 * S });
    conn.clientWrite(Buffer.from('c')); // after it: a wake-up
    k.run({ until: 21 * S });
    expect(link.wakeups).toBe(2);
  });
});

describe('profiles', () => {
  it('user-defined profiles are checked field by field', () => {
    expect(resolveProfile({ name: 'mine', upKbps: 100, loss: 0.05 }).downDelayMs).toBe(20);
    expect(() => resolveProfile({ name: 'bad', loss: 2 })).toThrow(/loss/);
    expect(() => resolveProfile('no-such')).toThrow(/known: fixed, wifi/);
  });
});
