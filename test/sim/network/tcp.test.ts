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

  it('queued(): the bytes the model holds per direction, down to 0 when handed up, dropped or given up', () => {
    const { k, conn, got } = setup({ upKbps: 200, upDelayMs: 20, jitterMs: 0 }, { giveUpUs: 50 * S });
    conn.clientWrite(new Uint8Array(10_000));
    conn.clientWrite(Buffer.from('tail'));
    expect(conn.queued('up')).toBe(10_004);
    expect(conn.queued('down')).toBe(0);
    k.run({ until: 0.2 * S }); // part way through serialisation (10 kB at 200 kbit/s = 0.4 s)
    const part = conn.queued('up');
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(10_004);
    expect(got.server.join('').length + part).toBe(10_004); // held + handed up = written
    k.run({ until: 2 * S });
    expect(conn.queued('up')).toBe(0);
    conn.cut(); // nothing gets through: the bytes stay with the sender, until it gives up
    conn.serverWrite(new Uint8Array(3000));
    k.run({ until: 40 * S });
    expect(conn.queued('down')).toBe(3000);
    k.run({ until: 100 * S });
    expect(got.serverClosed).toMatch(/gave up/);
    expect(conn.queued('down')).toBe(0);
    expect(conn.sending('down')).toBe(false);
    expect(conn.sending('up')).toBe(true); // the device does not know
  });

  it('server reset: the server side is gone at once; the device learns one trip later, not behind the data', () => {
    const { k, conn, got } = setup({ downKbps: 100, downDelayMs: 300, upDelayMs: 10, jitterMs: 0 });
    let at = -1;
    const { clientClosed } = got;
    conn.serverWrite(new Uint8Array(50_000)); // 4 s of serialisation at 100 kbit/s
    k.run({ until: 1 * S });
    conn.serverReset();
    expect(conn.sending('down')).toBe(false);
    conn.clientWrite(Buffer.from('late')); // the device does not know yet; the server refuses it
    k.at(k.now + 299_000, () => void (at = got.clientClosed === clientClosed ? -1 : k.now));
    k.run({ until: 1.5 * S });
    expect(at).toBe(-1); // not before the one-way delay
    expect(got.clientClosed).toBe('reset by the server');
    expect(got.server).toEqual([]);
    expect(got.serverClosed).toBe(''); // the server is not told about its own reset
    expect(got.client.join('').length).toBeLessThan(50_000); // the unsent data died with the socket
    k.run({ until: 10 * S });
    expect(conn.queued('down')).toBe(0);
    expect(conn.queued('up')).toBe(0);
  });

  it('server reset with the RST lost: the device learns when its next segment reaches the server', () => {
    const { k, link, conn, got } = setup({ upDelayMs: 50, downDelayMs: 50, jitterMs: 0 });
    link.outage = true;
    conn.serverReset();
    link.outage = false;
    k.run({ until: 60 * S });
    expect(got.clientClosed).toBe(''); // the only RST was lost: the device still thinks it is connected
    conn.clientWrite(Buffer.from('anyone?'));
    k.run({ until: 60 * S + 99_000 });
    expect(got.clientClosed).toBe('');
    k.run({ until: 61 * S });
    expect(got.clientClosed).toBe('reset by the server'); // its segment was answered with an RST
    expect(got.server).toEqual([]);
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
