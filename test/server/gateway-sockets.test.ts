// GatewaySockets, the transport between real sockets and the Gateway: what it reports as a connection's
// backlog, when it says a socket drained, and how it closes (gracefully, or cutting a slow consumer).
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/connection/gateway';
import type { Scheduler } from '../../src/ports';
import { GatewaySockets } from '../../src/server/gateway-sockets';
import { Kernel } from '../../src/sim/kernel';
import { until } from '../helpers/until';

/** A stand-in for the Gateway that records the transport's calls. */
function recorder() {
  const opened: number[] = [];
  const drained: number[] = [];
  const gw = {
    opened: (c: number) => void opened.push(c),
    data: () => {},
    closed: () => {},
    drained: (c: number) => void drained.push(c),
  };
  return { gw: gw as unknown as Gateway, opened, drained };
}

const open: { sockets: GatewaySockets; clients: net.Socket[] }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const c of o.clients) c.destroy();
    await o.sockets.close();
  }
});

async function setup(socketBytes?: number) {
  const sockets = new GatewaySockets(socketBytes === undefined ? {} : { socketBytes });
  const rec = recorder();
  const port = await sockets.listen(rec.gw, '127.0.0.1', 0);
  const client = net.connect(port, '127.0.0.1');
  client.on('error', () => {});
  let received = 0;
  client.on('data', (d) => void (received += d.length));
  open.push({ sockets, clients: [client] });
  await until('connected', () => rec.opened.length === 1);
  return { sockets, rec, client, conn: rec.opened[0], received: () => received };
}

describe('GatewaySockets', () => {
  it('reports as buffered the bytes written this turn (corked for one writev), then what the socket has not sent', async () => {
    const t = await setup();
    for (let i = 0; i < 3; i++) t.sockets.transport.write(t.conn, Buffer.alloc(1000));
    expect(t.sockets.transport.buffered!(t.conn)).toBe(3000);
    await until('sent', () => t.received() === 3000);
    expect(t.sockets.transport.buffered!(t.conn)).toBe(0);
    expect(t.sockets.transport.buffered!(999)).toBe(0); // a connection that is gone holds nothing
  });

  it('with a socket share, a socket written past it always says drained (Node\'s default mark would not)', async () => {
    const shared = await setup(1024);
    shared.sockets.transport.write(shared.conn, Buffer.alloc(2048)); // past 1 KiB, below Node's 16 KiB mark
    await until('sent', () => shared.received() === 2048);
    await until('drained', () => shared.rec.drained.length > 0);
    expect(shared.rec.drained).toEqual([shared.conn]);

    const plain = await setup();
    plain.sockets.transport.write(plain.conn, Buffer.alloc(2048));
    await until('sent', () => plain.received() === 2048);
    await new Promise((r) => setImmediate(r));
    expect(plain.rec.drained).toEqual([]); // so held pushes would wait forever: hence the mark
  });

  it('close lets what was written go out first; close with abort cuts at once, dropping a backlog the peer does not read', async () => {
    const g = await setup();
    let ended = false;
    g.client.on('end', () => (ended = true));
    g.sockets.transport.write(g.conn, Buffer.alloc(5000));
    g.sockets.transport.close(g.conn);
    await until('ended', () => ended);
    expect(g.received()).toBe(5000);

    const a = await setup();
    a.client.pause();
    a.sockets.transport.write(a.conn, Buffer.alloc(64 * 1024 * 1024)); // more than loopback's buffers hold
    await until('backlog in the socket', () => a.sockets.buffered(a.conn) > 0);
    a.sockets.transport.close(a.conn, true);
    await until('cut', () => !a.sockets.has(a.conn));
    expect(a.sockets.buffered(a.conn)).toBe(0);
  });
});

describe('GatewaySockets login deadline (one sweep timer for all connections, on a kernel clock)', () => {
  it('closes each connection not logged in at its own deadline, spares one that logged in, and leaves no timer behind', async () => {
    const k = new Kernel();
    const sched: Scheduler = { now: () => k.now, setTimer: (d, fn) => k.schedule(d, fn), clearTimer: (id) => void k.cancel(id) };
    const sockets = new GatewaySockets({ loginTimeoutMs: 10, sched });
    const opened: number[] = [];
    const closed: number[] = [];
    const session = new Set<number>();
    const gw = {
      opened: (c: number) => void opened.push(c),
      data: () => {},
      closed: (c: number) => void (closed.includes(c) || closed.push(c)), // (again on its socket's 'close')
      drained: () => {},
      phaseOf: (c: number) => (session.has(c) ? 'session' : 'iop-ses'),
    } as unknown as Gateway;
    const port = await sockets.listen(gw, '127.0.0.1', 0);
    const clients: { s: net.Socket; got: () => string; ended: () => boolean }[] = [];
    open.push({ sockets, clients: [] });
    const connect = async () => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      let got = '';
      let ended = false;
      s.on('data', (d) => void (got += d.toString()));
      s.on('close', () => (ended = true));
      open[open.length - 1].clients.push(s);
      const n = opened.length;
      await until('opened', () => opened.length === n + 1);
      clients.push({ s, got: () => got, ended: () => ended });
    };
    await connect(); // conn 1, deadline 10 ms
    k.run({ until: 4000 });
    await connect(); // conn 2, deadline 14 ms
    await connect(); // conn 3, deadline 14 ms: logs in
    session.add(opened[2]);
    expect(k.pending).toBe(1); // one sweep, not a timer each

    k.run({ until: 9999 });
    expect(closed).toEqual([]);
    k.run({ until: 10_000 });
    expect(closed).toEqual([opened[0]]);
    expect(sockets.guarded.loginTimeouts).toBe(1);
    await until('1 told and closed', () => clients[0].ended());
    expect(clients[0].got()).toMatch(/^-ERR no login within 0.01 s: log in first/);

    k.run({ until: 13_999 });
    expect(closed).toEqual([opened[0]]);
    k.run({ until: 14_000 });
    expect(closed).toEqual([opened[0], opened[1]]); // 3 logged in: it stays
    expect(sockets.guarded.loginTimeouts).toBe(2);
    await until('2 closed', () => clients[1].ended());
    expect(clients[2].ended()).toBe(false);
    expect(k.pending).toBe(0);

    await connect(); // a new one arms the sweep again; its closing (before the deadline) disarms it
    expect(k.pending).toBe(1);
    clients[3].s.destroy();
    await until('4 gone', () => !sockets.has(opened[3]));
    expect(k.pending).toBe(0);
  });
});
