import { describe, expect, it } from 'vitest';
import { DAY_MINUTES, MINUTE_US, Monitor, statsText } from '../../src/monitor';

const DAY = DAY_MINUTES * MINUTE_US;

/** `name:value` lines of INFO-like text, by section. */
function parse(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let sec = '';
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out[(sec = line.slice(2).toLowerCase())] = {};
    else if (line) {
      const i = line.indexOf(':');
      out[sec][line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return out;
}

describe('statsText', () => {
  it('writes the deck\'s metrics as INFO does: sections, name:value, CRLF', () => {
    const m = new Monitor();
    m.cmd(0, 0, 30);
    m.cmd(0, 1, 90);
    m.htime(0, 1);
    m.cmdq(0, 1, 4);
    m.error(0, 0);
    m.session(0, 1, 'ios', null, 'iop-ses');
    m.session(0, 1, 'ios', 'iop-ses', 'session');
    m.session(0, 0, 'wp', null, 'iop-ses');
    m.message(MINUTE_US, 'text'); // minute 1 of day 0
    m.message(DAY + MINUTE_US, 'text'); // a day later: yesterday had one in the same minute
    m.message(DAY + MINUTE_US + 1, 'text');
    m.advance(DAY + 2 * MINUTE_US);
    const text = statsText(m, { server: 1, serverInfo: { htime_timeout_ms: 500 } });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    const s = parse(text);
    expect(Object.keys(s)).toEqual(['server', 'sum', 'sessions', 'platforms', 'messages', 'totals']);
    expect(s.server).toEqual({ server: '1', htime_timeout_ms: '500', cmd: '0', htime: '0', cmdq: '4', error: '0' });
    expect(s.sum).toMatchObject({ servers: '2', cmdq_sum: '4' });
    expect(s.sessions).toEqual({ 'tot-ses': '2', 'iop-ses': '1', 'p-ses': '0', session: '1' });
    expect(s.platforms).toEqual({ ios: '1', eios: '0', android: '0', wp: '1' });
    expect(s.messages.text_1m).toBe('now=2,yesterday=1,ratio=2.00');
    expect(s.messages.image_1m).toBe('now=0,yesterday=0,ratio=-');
    expect(s.totals).toEqual({ cmd_total: '120', htime_total: '1', error_total: '1', text_total: '3', image_total: '0' });
  });

  it('cmd is a rate with two decimals; sections can be picked', () => {
    const m = new Monitor();
    m.cmd(0, 0, 1);
    m.cmd(2_000_000, 0, 1);
    const s = parse(statsText(m, { sections: ['server', 'sessions'] }));
    expect(Object.keys(s)).toEqual(['server', 'sessions']);
    expect(s.server.cmd).toBe('0.67');
    expect(statsText(m, { sections: ['nosuch'] })).toBe('');
    expect(Object.keys(parse(statsText(m, { sections: ['all'] })))).toHaveLength(6);
  });
});
