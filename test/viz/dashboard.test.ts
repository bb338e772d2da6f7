import { describe, expect, it } from 'vitest';
import { MINUTE_US, Monitor } from '../../src/monitor';
import { deckTableChart, shortNumber, vsYesterdayChart } from '../../src/viz/dashboard';
import { toSvg } from '../../src/viz/render';

function busyMonitor(): Monitor {
  const m = new Monitor();
  const day = 1440 * MINUTE_US;
  for (let t = 0; t < day + 120 * MINUTE_US; t += 10_000_000) {
    m.cmd(t, 0, 5);
    m.cmd(t, 1, 3);
    m.message(t, t > day ? 'text' : 'image');
  }
  m.session(0, 0, 'ios', null, 'iop-ses');
  m.advance(day + 120 * MINUTE_US);
  return m;
}

describe('dashboard charts', () => {
  it('the deck table has one labelled row per metric, with its value, and renders', async () => {
    const rows = busyMonitor().table({ history: 30 });
    const spec = deckTableChart(rows) as { hconcat: { data: { values: { row: string; value: string }[] } }[] };
    const cells = spec.hconcat[0].data.values;
    expect(cells).toHaveLength(16);
    // the last 60 s hold 5 reports: 25 requests on server 0, 40 on both
    expect(cells[0]).toEqual({ row: '1. 每秒请求量 (cmd)', value: '0.42' });
    expect(cells[4]).toEqual({ row: '5. 每秒请求量sum (cmd_sum)', value: '0.67' });
    const svg = await toSvg(spec);
    expect(svg).toContain('<svg');
    expect(svg).toContain('cmdq_sum');
  });

  it('English labels on request', () => {
    const spec = deckTableChart(busyMonitor().table(), { chinese: false }) as { hconcat: { data: { values: { row: string }[] } }[] };
    expect(spec.hconcat[0].data.values[8].row).toBe('9. all connections (tot-ses)');
  });

  it('vs yesterday: now and yesterday per window and kind, with the ratio, and renders', async () => {
    const stats = busyMonitor().messageStats();
    const spec = vsYesterdayChart(stats) as { data: { values: { kind: string; window: string; when: string; count: number; ratio: string }[] } };
    const v = spec.data.values;
    expect(v).toHaveLength(20);
    expect(v.find((x) => x.kind === 'image' && x.window === 'last minute' && x.when === 'same period yesterday')!.count).toBe(6);
    expect(v.find((x) => x.kind === 'text' && x.window === 'last minute' && x.when === 'now')).toMatchObject({ count: 6, ratio: '' });
    expect(await toSvg(spec)).toContain('same period yesterday');
  });

  it('shortNumber keeps cells narrow', () => {
    expect([0, 7, 0.25, 3.14159, 123.4, 12_345, 700_000, 12_000_000, 3e9].map(shortNumber))
      .toEqual(['0', '7', '0.25', '3.1', '123', '12.3k', '700k', '12M', '3.0G']);
  });
});
