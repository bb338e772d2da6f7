import { describe, expect, it } from 'vitest';
import { MINUTE_US, Monitor } from '../../src/monitor';
import { ROW_HEIGHT, deckTableChart, shortNumber, vsYesterdayChart } from '../../src/viz/dashboard';
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

  it('each history curve sits beside its own label, down to the last row (spec and rendered SVG)', async () => {
    const rows = busyMonitor().table({ history: 30 });
    const spec = deckTableChart(rows) as any;
    const [table, curves] = spec.hconcat;
    const n = rows.length;
    // same height, so row i is the same band of pixels [i, i + 1] × ROW_HEIGHT in both
    expect(table.height).toBe(n * ROW_HEIGHT);
    expect(curves.height).toBe(n * ROW_HEIGHT);
    expect(curves.encoding.y.scale).toMatchObject({ domain: [0, n], reverse: true });
    const labels = table.data.values.map((v: { row: string }) => v.row);
    for (const p of curves.data.values) {
      const i = labels.indexOf(p.row);
      expect(p.top).toBeGreaterThan(i);
      expect(p.base).toBeLessThan(i + 1);
      expect(p.top).toBeLessThanOrEqual(p.base);
    }
    // In the SVG: label i's text and curve i's path both lie in pixels [22 i, 22 (i + 1)] of their chart,
    // and the two charts start at the same height.
    const svg = await toSvg(spec);
    const chartY = [...svg.matchAll(/<g class="mark-group role-scope concat_(\d)_group"[^>]*><g transform="translate\([\d.]+,([\d.]+)\)"/g)].map((m) => Number(m[2]));
    expect(chartY).toHaveLength(2);
    expect(chartY[0]).toBe(chartY[1]);
    const textY = [...svg.split('concat_0_layer_0_marks')[1].split('</g>')[0].matchAll(/<text[^>]*transform="translate\([\d.]+,([\d.]+)\)"/g)].map((m) => Number(m[1]));
    const areas = [...svg.split('concat_1_layer_0_marks').slice(1).join('').matchAll(/<path [^>]*aria-label="[^"]*row: (\d+)\.[^"]*"[^>]*d="([^"]+)"/g)];
    expect(textY).toHaveLength(n);
    expect(new Set(areas.map((a) => a[1])).size).toBe(n);
    textY.forEach((y, i) => {
      expect(y).toBeGreaterThan(i * ROW_HEIGHT);
      expect(y).toBeLessThan((i + 1) * ROW_HEIGHT);
    });
    for (const [, rowNo, d] of areas) {
      const i = Number(rowNo) - 1;
      const ys = [...d.matchAll(/[ML][\d.-]+,([\d.-]+)/g)].map((m) => Number(m[1]));
      expect(ys.length).toBeGreaterThan(0);
      expect(Math.min(...ys), `row ${rowNo}`).toBeGreaterThan(i * ROW_HEIGHT);
      expect(Math.max(...ys), `row ${rowNo}`).toBeLessThan((i + 1) * ROW_HEIGHT);
    }
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
