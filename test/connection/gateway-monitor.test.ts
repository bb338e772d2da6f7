// The connection layer feeding the deck's monitoring: cmd per request, error per error reply, htime for
// late replies, session phases with platforms -- and the invariants tot-ses = Σ phases = Σ platforms.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gateway } from '../../src/connection/gateway';
import type { Up } from '../../src/connection/layer-messages';
import { Monitor, type MonitorSink } from '../../src/monitor';
import { ReplyError } from '../../src/wire';
import { recordingTransport } from '../helpers/gateway-transport';

const MS = 1000;

function setup(opts: { htimeUs?: number; stats?: (s: string[]) => string; sink?: MonitorSink } = {}) {
  let now = 0;
  const clock = { now: () => now };
  const monitor = new Monitor();
  const up: Up[] = [];
  const { transport, replies } = recordingTransport();
  const gw = new Gateway(transport, (m) => void up.push(m), { id: 2, monitor: opts.sink ?? monitor, clock, htimeUs: opts.htimeUs, stats: opts.stats });
  const send = (c: number, s: string) => gw.data(c, Buffer.from(s));
  const verdict = (c: number, ok: boolean) => {
    const m = up.filter((u) => u.k === 'login' && u.conn === c).pop() as Extract<Up, { k: 'login' }>;
    gw.downstream({ k: 'login', conn: c, req: m.req, user: m.user, ok });
  };
  const at = (t: number) => void (now = t);
  const cur = (...names: Parameters<Monitor['current']>[0][]) => names.map((n) => monitor.current(n, 2));
  return { gw, monitor, up, replies, send, verdict, at, cur };
}

describe('Gateway feeding the monitor', () => {
  it('reports each phase: iop-ses at accept, p-ses at AUTH, session when logged in, gone when closed', () => {
    const t = setup();
    t.gw.opened(1);
    t.gw.opened(2);
    expect(t.cur('tot-ses', 'iop-ses', 'p-ses', 'session', 'android')).toEqual([2, 2, 0, 0, 2]);
    t.send(1, 'AUTH alice tok\r\n');
    t.send(2, 'HELLO 3 AUTH bob tok\r\n');
    expect(t.cur('iop-ses', 'p-ses', 'session')).toEqual([0, 2, 0]);
    t.verdict(1, true);
    t.verdict(2, false); // refused: back to a physical connection
    expect(t.cur('iop-ses', 'p-ses', 'session')).toEqual([1, 0, 1]);
    expect(t.monitor.violations()).toEqual([]);
    t.gw.closed(1);
    t.gw.closed(2);
    expect(t.cur('tot-ses', 'iop-ses', 'session', 'android')).toEqual([0, 0, 0, 0]);
    expect(t.monitor.violations()).toEqual([]);
  });

  it('a declared platform moves the connection between platforms in the same phase', () => {
    const t = setup();
    t.gw.opened(1);
    t.send(1, 'CLIENT SETINFO PLATFORM ios\r\nAUTH alice tok\r\n');
    t.verdict(1, true);
    expect(t.replies(1)).toEqual(['OK', 'OK']);
    expect(t.cur('tot-ses', 'session', 'ios', 'android')).toEqual([1, 1, 1, 0]);
    t.send(1, 'client setinfo platform EIOS\r\nCLIENT SETINFO PLATFORM blackberry\r\n');
    expect((t.replies(1)[1] as ReplyError).message).toBe("ERR Unrecognized platform 'blackberry': ios, eios, android or wp");
    expect(t.cur('tot-ses', 'session', 'ios', 'eios')).toEqual([1, 1, 0, 1]);
    t.gw.closed(1);
    expect(t.cur('tot-ses', 'eios')).toEqual([0, 0]);
    expect(t.monitor.violations()).toEqual([]);
  });

  it('cmd counts every request, pipelined ones in one report per chunk; error counts error replies', () => {
    const reports: number[] = [];
    const monitor = new Monitor();
    const sink: MonitorSink = { ...bind(monitor), cmd: (time, s, n = 1) => { reports.push(n); monitor.cmd(time, s, n); } };
    const t = setup({ sink });
    t.gw.opened(1);
    t.send(1, 'PING\r\nPING\r\nPING\r\nsend bob c hi\r\nnosuch\r\n');
    t.send(1, '*1\r\nx\r\n'); // a protocol error: an error reply, not a command
    expect(reports).toEqual([5]);
    expect(monitor.totals(2)).toEqual({ cmd: 5, htime: 0, error: 3 });
    expect(t.gw.stats).toMatchObject({ cmd: 5, error: 3 });
  });

  it('htime: a reply written later than the threshold after its request was read, including one held behind it', () => {
    const t = setup({ htimeUs: 100 * MS });
    t.gw.opened(1);
    t.send(1, 'AUTH alice tok\r\n');
    t.at(50 * MS);
    t.verdict(1, true); // 50 ms: in time
    t.at(1000 * MS);
    t.send(1, 'msg-sync 0\r\nPING\r\nmsg-sync 1\r\n'); // PING is answered at once but must wait for the first sync
    const [sync0, sync1] = t.up.filter((u) => u.k === 'cmd') as Extract<Up, { k: 'cmd' }>[];
    t.at(1050 * MS);
    t.gw.downstream({ k: 'reply', conn: 1, req: sync1.req, reply: [] }); // in time, but queued behind sync0
    t.at(1300 * MS);
    t.gw.downstream({ k: 'reply', conn: 1, req: sync0.req, reply: [] }); // 300 ms: all three go out late
    expect(t.replies(1)).toEqual(['OK', [], 'PONG', []]);
    expect(t.monitor.totals(2).htime).toBe(3);
    t.at(1310 * MS);
    t.send(1, 'PING\r\n');
    expect(t.monitor.totals(2).htime).toBe(3);
  });

  it('stats answers from the provider, before login too; without one it says monitoring is off', () => {
    const asked: string[][] = [];
    const t = setup({ stats: (s) => (asked.push(s), `# Server\r\ncmd:1\r\n`) });
    t.gw.opened(1);
    t.send(1, 'STATS\r\nstats Sessions messages\r\n');
    expect(t.replies(1)).toEqual(['# Server\r\ncmd:1\r\n', '# Server\r\ncmd:1\r\n']);
    expect(asked).toEqual([[], ['sessions', 'messages']]);
    const out: Buffer[] = [];
    const g = new Gateway({ write: (_c, b) => void out.push(b), close: () => {} }, () => {});
    g.opened(1);
    g.data(1, Buffer.from('stats\r\n'));
    expect(Buffer.concat(out).toString()).toMatch(/^-ERR monitoring is off on this server/);
  });

  it('refuses a monitor without a clock', () => {
    expect(() => new Gateway({ write: () => {}, close: () => {} }, () => {}, { monitor: new Monitor() })).toThrow(/clock/);
  });

  it('property: whatever clients do, the monitor agrees with the gateway and the invariants hold', () => {
    const action = fc.oneof(
      fc.record({ a: fc.constant('open' as const) }),
      fc.record({ a: fc.constant('close' as const), c: fc.nat(5) }),
      fc.record({ a: fc.constant('auth' as const), c: fc.nat(5), hello: fc.boolean() }),
      fc.record({ a: fc.constant('verdict' as const), c: fc.nat(5), ok: fc.boolean() }),
      fc.record({ a: fc.constant('platform' as const), c: fc.nat(5), p: fc.constantFrom('ios', 'eios', 'android', 'wp', 'nokia') }),
      fc.record({ a: fc.constant('garbage' as const), c: fc.nat(5) }),
      fc.record({ a: fc.constant('quit' as const), c: fc.nat(5) }),
    );
    fc.assert(fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
      const t = setup();
      let next = 0;
      const open: number[] = [];
      const pick = (i: number) => open[i % Math.max(1, open.length)];
      let time = 0;
      for (const x of actions) {
        t.at((time += 7 * MS));
        if (x.a === 'open') {
          t.gw.opened(++next);
          open.push(next);
          continue;
        }
        const c = pick(x.c);
        if (c === undefined) continue;
        if (x.a === 'close') {
          t.gw.closed(c);
          open.splice(open.indexOf(c), 1);
        } else if (x.a === 'auth') t.send(c, x.hello ? 'HELLO 3 AUTH u tok\r\n' : 'AUTH u tok\r\n');
        else if (x.a === 'verdict') {
          if (t.up.some((u) => u.k === 'login' && u.conn === c)) t.verdict(c, x.ok);
        } else if (x.a === 'platform') t.send(c, `CLIENT SETINFO PLATFORM ${x.p}\r\n`);
        else if (x.a === 'garbage') t.send(c, '*1\r\nx\r\n'); // closes that connection after the reply
        else t.send(c, 'QUIT\r\n');
      }
      expect(t.monitor.violations()).toEqual([]);
      expect(t.monitor.current('tot-ses', 2)).toBe(t.gw.connections);
      const phases = t.gw.phaseCounts();
      expect(t.cur('iop-ses', 'p-ses', 'session')).toEqual([phases['iop-ses'], phases['p-ses'], phases.session]);
    }), { numRuns: 300 });
  });
});

/** A Monitor's sink methods bound to it (to override one in a test). */
function bind(m: Monitor): MonitorSink {
  return {
    cmd: m.cmd.bind(m), htime: m.htime.bind(m), error: m.error.bind(m), cmdq: m.cmdq.bind(m),
    session: m.session.bind(m), message: m.message.bind(m),
  };
}
