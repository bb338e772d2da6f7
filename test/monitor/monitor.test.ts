import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MINUTES, MINUTE_US, Monitor, PHASES, PLATFORMS, fanOut, type MessageKind, type Platform, type SessionPhase } from '../../src/monitor';

const S = 1_000_000;
const MIN = MINUTE_US;
const DAY = DAY_MINUTES * MIN;

describe('Monitor: current values', () => {
  it('cmd is requests/s over the last 60 s; htime and error count the last 60 s', () => {
    const m = new Monitor();
    for (let i = 0; i < 120; i++) {
      m.cmd(i * S, 0, 10); // 10 requests each second for two minutes
      if (i === 100) m.htime(i * S, 0);
    }
    m.error(119 * S, 1);
    expect(m.current('cmd', 0)).toBe(10);
    expect(m.current('cmd')).toBe(10); // server 1 has none
    expect(m.current('htime')).toBe(1);
    m.advance(161 * S); // the htime at 100 s left the window; the error at 119 s not yet
    expect(m.current('htime')).toBe(0);
    expect(m.current('error')).toBe(1);
    expect(m.current('cmd')).toBeCloseTo((18 * 10) / 60, 10); // seconds 102..119 are still in the last 60 (102..161)
  });

  it('a young monitor divides by the seconds it has seen, not by 60', () => {
    const m = new Monitor();
    for (let i = 0; i < 5; i++) m.cmd(i * S, 0, 6);
    expect(m.current('cmd')).toBe(6);
  });

  it('sessions by phase and platform follow the transitions', () => {
    const m = new Monitor();
    m.session(0, 0, 'ios', null, 'iop-ses');
    m.session(1, 0, 'ios', 'iop-ses', 'p-ses');
    m.session(2, 1, 'android', null, 'iop-ses');
    m.session(3, 0, 'ios', 'p-ses', 'session');
    expect([m.current('tot-ses'), m.current('session'), m.current('iop-ses'), m.current('ios'), m.current('android')]).toEqual([2, 1, 1, 1, 1]);
    m.session(4, 0, 'ios', 'session', null);
    expect([m.current('tot-ses', 0), m.current('tot-ses', 1), m.current('ios')]).toEqual([0, 1, 0]);
    expect(m.violations()).toEqual([]);
  });
});

describe('Monitor: history', () => {
  it('one point per complete minute: cmd as a rate, cmdq as the minute\'s peak, sessions at the minute\'s end', () => {
    const m = new Monitor();
    m.cmd(0, 0, 60);
    m.cmdq(10 * S, 0, 7);
    m.cmdq(20 * S, 0, 2);
    m.session(30 * S, 0, 'wp', null, 'iop-ses');
    m.cmd(MIN + 1, 0, 120);
    m.advance(4 * MIN); // minutes 2 and 3 were quiet
    expect(m.series('cmd').map((p) => p.value)).toEqual([1, 2, 0, 0]);
    expect(m.series('cmdq').map((p) => p.value)).toEqual([7, 2, 2, 2]);
    expect(m.series('tot-ses').map((p) => p.value)).toEqual([1, 1, 1, 1]);
    expect(m.series('cmd', { last: 2 }).map((p) => p.t)).toEqual([2 * MIN, 3 * MIN]);
  });

  it('the deck\'s table: rows 1–16 with the slide\'s names, current values and curves', () => {
    const m = new Monitor();
    m.cmd(0, 0, 30);
    m.cmd(0, 1, 90);
    m.cmdq(0, 1, 4);
    m.session(0, 1, 'eios', null, 'iop-ses');
    m.advance(MIN);
    const rows = m.table({ server: 1 });
    expect(rows.map((r) => r.name)).toEqual(['cmd', 'htime', 'cmdq', 'error', 'cmd_sum', 'htime_sum', 'cmdq_sum', 'error_sum',
      'tot-ses', 'iop-ses', 'p-ses', 'session', 'ios', 'eios', 'android', 'wp']);
    const by = Object.fromEntries(rows.map((r) => [r.n, r]));
    expect(by[1].history).toEqual([1.5]); // server 1: 90 in the minute
    expect(by[5].history).toEqual([2]); // both servers
    expect([by[3].value, by[7].value, by[9].value, by[14].value]).toEqual([4, 4, 1, 1]);
    expect(by[12].zh).toBe('登陆用户');
  });

  it('keeps only retainMinutes; older minutes are gone, a longer silence leaves quiet minutes', () => {
    const m = new Monitor({ retainMinutes: DAY_MINUTES + 16 });
    m.cmd(0, 0, 60);
    m.advance(10 * MIN);
    expect(m.series('cmd')).toHaveLength(10);
    m.cmd(3 * DAY, 0, 60);
    m.session(3 * DAY, 0, 'ios', null, 'iop-ses');
    m.advance(3 * DAY + MIN);
    const s = m.series('cmd');
    expect(s).toHaveLength(DAY_MINUTES + 15);
    expect(s.at(-1)).toEqual({ t: 3 * DAY, value: 1 });
    expect(s.slice(0, -1).every((p) => p.value === 0)).toBe(true);
    expect(() => new Monitor({ retainMinutes: 100 })).toThrow(RangeError);
  });
});

describe('Monitor: messages vs the same period yesterday', () => {
  it('today so far and the last 1/5/10/15 complete minutes, each against yesterday', () => {
    const m = new Monitor();
    // yesterday (day 0): one text message a minute; today (day 1): three a minute until 10:00, images once
    for (let i = 0; i < DAY_MINUTES; i++) m.message(i * MIN + 5 * S, 'text');
    const tenOClock = DAY + 600 * MIN;
    for (let t = DAY; t < tenOClock; t += MIN) for (let j = 0; j < 3; j++) m.message(t + j * S, 'text');
    m.message(tenOClock - MIN, 'image');
    m.advance(tenOClock + 30 * S);
    const stats = Object.fromEntries(m.messageStats().map((w) => [`${w.kind} ${w.window}`, w]));
    expect(stats['text today']).toMatchObject({ now: 1800, yesterday: 600, ratio: 3 });
    expect(stats['text 1m']).toMatchObject({ now: 3, yesterday: 1 });
    expect(stats['text 15m']).toMatchObject({ now: 45, yesterday: 15, ratio: 3 });
    expect(stats['image 5m']).toMatchObject({ now: 1, yesterday: 0, ratio: null });
    expect(m.messageTotal('text')).toBe(DAY_MINUTES + 1800);
  });

  it('window sums equal a direct count of the messages (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * DAY_MINUTES * 60 - 1 }), fc.constantFrom<MessageKind>('text', 'image')), { maxLength: 300 }),
      fc.integer({ min: 1, max: 2 * DAY_MINUTES * 60 }),
      (events, endSec) => {
        const m = new Monitor();
        const sorted = events.filter(([s]) => s < endSec).sort((a, b) => a[0] - b[0]);
        for (const [s, kind] of sorted) m.message(s * S, kind);
        m.advance(endSec * S);
        const cur = Math.floor(endSec / 60);
        const count = (kind: MessageKind, from: number, to: number) =>
          sorted.filter(([s, k]) => k === kind && Math.floor(s / 60) >= from && Math.floor(s / 60) <= to).length;
        if (m.now !== m.now) return sorted.length === 0; // no report at all: NaN clock
        const lens: Record<string, number> = { '1m': 1, '5m': 5, '10m': 10, '15m': 15 };
        for (const w of m.messageStats()) {
          const len = w.window === 'today' ? cur - Math.floor(cur / DAY_MINUTES) * DAY_MINUTES : lens[w.window];
          expect(w.now).toBe(count(w.kind, cur - len, cur - 1));
          expect(w.yesterday).toBe(count(w.kind, cur - len - DAY_MINUTES, cur - 1 - DAY_MINUTES));
        }
        return true;
      },
    ), { numRuns: 150 });
  });
});

describe('Monitor: invariants', () => {
  it('tot-ses = Σ phases = Σ platforms under any valid life of connections (property)', () => {
    const ev = fc.record({ conn: fc.integer({ min: 0, max: 9 }), step: fc.integer({ min: 0, max: 3 }), platform: fc.constantFrom<Platform>(...PLATFORMS) });
    fc.assert(fc.property(fc.array(ev, { maxLength: 200 }), (events) => {
      const m = new Monitor();
      const state = new Map<number, { phase: SessionPhase; platform: Platform }>();
      let t = 0;
      for (const e of events) {
        t += S;
        const cur = state.get(e.conn);
        if (!cur) {
          state.set(e.conn, { phase: 'iop-ses', platform: e.platform });
          m.session(t, e.conn % 3, e.platform, null, 'iop-ses');
        } else if (e.step === 0) {
          state.delete(e.conn);
          m.session(t, e.conn % 3, cur.platform, cur.phase, null);
        } else {
          const to = PHASES[e.step - 1];
          m.session(t, e.conn % 3, cur.platform, cur.phase, to);
          cur.phase = to;
        }
      }
      expect(m.violations()).toEqual([]);
      expect(m.current('tot-ses')).toBe(state.size);
      for (const p of PHASES) expect(m.current(p)).toBe([...state.values()].filter((s) => s.phase === p).length);
    }), { numRuns: 200 });
  });

  it('names a broken invariant: a close reported from the wrong phase, a negative cmdq, a backlog at rest', () => {
    const m = new Monitor();
    m.session(0, 2, 'ios', null, 'iop-ses');
    m.session(1, 2, 'ios', 'session', null); // it was never logged in
    m.cmdq(2, 0, -1);
    m.cmdq(3, 1, 5);
    const rules = m.violations({ atRest: true }).map((v) => `${v.server} ${v.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['0 cmdq >= 0', '2 session >= 0', '1 cmdq drains at rest']));
    expect(m.violations().map((v) => v.rule)).not.toContain('cmdq drains at rest');
  });
});

describe('fanOut', () => {
  it('forwards every report to each sink', () => {
    const a = new Monitor();
    const b = new Monitor();
    const sink = fanOut(a, b);
    sink.cmd(0, 0, 3);
    sink.message(0, 'image');
    sink.session(0, 0, 'wp', null, 'iop-ses');
    for (const m of [a, b]) expect([m.totals().cmd, m.messageTotal('image'), m.current('wp')]).toEqual([3, 1, 1]);
  });
});

describe('Monitor: messages today so far', () => {
  it('counts from the start of the day through the minute being filled; a new day starts from zero', () => {
    const m = new Monitor();
    expect(m.messagesToday('text')).toBe(0);
    m.message(DAY - 2 * MIN, 'text'); // yesterday
    m.message(DAY + 5 * MIN, 'text');
    m.message(DAY + 5 * MIN + 1, 'image');
    m.message(DAY + 7 * MIN + 30 * S, 'text'); // in the minute being filled
    expect([m.messagesToday('text'), m.messagesToday('image')]).toEqual([2, 1]);
    expect(m.messageStats().find((w) => w.kind === 'text' && w.window === 'today')?.now).toBe(1); // complete minutes only
    m.advance(2 * DAY);
    expect(m.messagesToday('text')).toBe(0);
  });
});
