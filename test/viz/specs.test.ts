import { describe, expect, it } from 'vitest';
import { toSvg } from '../../src/viz/render';
import { barChart, cdfChart, ecdf, lineChart, sequenceDiagram } from '../../src/viz/specs';
import type { SequenceArrow } from '../../src/viz/specs';
import { tableHtml } from '../../src/viz/display';

const ms = 1000;
const arrows: SequenceArrow[] = [
  { from: 'alice', to: 'server', sent: 0, received: 40 * ms, label: 'SEND m1' },
  { from: 'server', to: 'bob', sent: 45 * ms, received: 160 * ms, label: 'PUSH m1' },
  { from: 'bob', to: 'server', sent: 170 * ms, received: 280 * ms, label: 'ACK <1>', lost: true },
];
const lanes = ['alice', 'server', 'bob'];

// The spec is plain data; these helpers walk it the way a reader would.
type Layer = { data?: { values: Record<string, unknown>[] }; layer?: Layer[]; mark?: { type: string }; encoding?: Record<string, any> };
const spec = sequenceDiagram(arrows, { lanes, title: 't' }) as Layer & { width: number; height: number; $schema: string };
const [laneLayer, msgLayer] = spec.layer!;
const allLayers = (l: Layer): Layer[] => [l, ...(l.layer ?? []).flatMap(allLayers)];

describe('sequenceDiagram', () => {
  it('has one lane per party, in the given order, named on a top axis', () => {
    expect(laneLayer.data!.values.map((v) => v.lane)).toEqual(lanes);
    expect(laneLayer.data!.values.map((v) => v.x)).toEqual([0, 1, 2]);
    expect(laneLayer.mark!.type).toBe('rule');
    const axis = laneLayer.encoding!.x.axis;
    expect(axis.orient).toBe('top');
    expect(axis.labelExpr).toBe('["alice","server","bob"][datum.value]');
  });

  it('runs time downwards in the chosen unit', () => {
    for (const l of allLayers(spec)) {
      if (l.encoding?.y) expect(l.encoding.y.scale.reverse).toBe(true);
    }
    const line = msgLayer.layer![0];
    expect(line.encoding!.y.axis.title).toBe('virtual time (ms)');
    const v = msgLayer.data!.values;
    expect(v.map((r) => r.y)).toEqual([0, 45, 170]); // µs -> ms
    const inS = sequenceDiagram(arrows, { lanes, timeUnit: 's' }) as Layer;
    expect(inS.layer![1].data!.values[1].y).toBeCloseTo(0.045);
  });

  it('has exactly one datum per arrow, drawn from lane to lane', () => {
    const v = msgLayer.data!.values;
    expect(v).toHaveLength(arrows.length);
    expect(v[0]).toMatchObject({ x: 0, x2: 1, y: 0, y2: 40, label: 'SEND m1', status: 'delivered' });
    expect(v[1]).toMatchObject({ x: 1, x2: 2, y: 45, y2: 160 });
  });

  it('draws a lost message dashed and red, ending half-way', () => {
    const lost = msgLayer.data!.values[2];
    expect(lost).toMatchObject({ status: 'lost', x: 2, x2: 1.5, y: 170, y2: 225 });
    const line = msgLayer.layer![0].encoding!;
    expect(line.strokeDash.scale.domain).toEqual(['delivered', 'lost']);
    expect(line.strokeDash.scale.range[1]).toEqual([5, 3]);
    expect(line.color.scale.range[1]).toBe('#d62728');
  });

  it('rejects an arrow to an unknown lane', () => {
    expect(() => sequenceDiagram([{ ...arrows[0], to: 'carol' }], { lanes })).toThrow(/carol/);
  });

  it('renders to SVG with lane names and (escaped) labels', async () => {
    const svg = await toSvg(spec);
    expect(svg).toContain('<svg');
    for (const name of [...lanes, 'SEND m1', 'ACK &lt;1&gt;']) expect(svg).toContain(name);
    const start = await toSvg(sequenceDiagram(arrows, { lanes, labelAt: 'start' }));
    expect(start).toContain('PUSH m1');
  });
});

describe('ecdf / cdfChart', () => {
  it('is monotone and ends at 1', () => {
    const pts = ecdf([5, 1, 3, 3, 9, 1, 2]);
    expect(pts[0]).toEqual({ value: 1, p: 0 });
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i].value).toBeGreaterThanOrEqual(pts[i - 1].value);
      expect(pts[i].p).toBeGreaterThan(pts[i - 1].p);
    }
    expect(pts.at(-1)).toEqual({ value: 9, p: 1 });
    expect(pts.find((p) => p.value === 3 && p.p > 0)!.p).toBeCloseTo(5 / 7); // ties counted together
    expect(ecdf([])).toEqual([]);
  });

  it('builds one step line per series and renders', async () => {
    const samples = [1, 2, 3, 4].flatMap((v) => [{ series: 'a', value: v }, { series: 'b', value: v * 2 }]);
    const c = cdfChart(samples, { xTitle: 'latency (ms)' }) as any;
    expect(c.$schema).toMatch(/vega-lite\/v5/);
    expect(c.mark.interpolate).toBe('step-after');
    expect(c.encoding.color.scale.domain).toEqual(['a', 'b']);
    for (const s of ['a', 'b']) expect(c.data.values.filter((v: any) => v.series === s).at(-1).p).toBe(1);
    expect(await toSvg(c)).toContain('latency (ms)');
  });
});

describe('lineChart / barChart', () => {
  it('have explicit size, schema, and render', async () => {
    const line = lineChart([{ x: 1, y: 2 }, { x: 2, y: 3 }], { xTitle: 'x', yTitle: 'y', width: 300, height: 100 }) as any;
    expect([line.width, line.height]).toEqual([300, 100]);
    expect(line.encoding.color).toBeUndefined(); // single unnamed series: no legend
    const bar = barChart(
      [{ category: 'wifi', group: 'queue', value: 3 }, { category: 'wifi', group: 'versioned', value: 2 }, { category: '3g', group: 'queue', value: 9 }],
      { xTitle: 'network', yTitle: 'msgs/s' },
    ) as any;
    expect(bar.encoding.x.sort).toEqual(['wifi', '3g']);
    expect(bar.encoding.xOffset.field).toBe('group');
    for (const s of [line, bar]) {
      expect(s.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
      expect(await toSvg(s)).toContain('<svg');
    }
  });
});

describe('tableHtml', () => {
  it('escapes content and shortens numbers', () => {
    const html = tableHtml([{ name: '<b>&', v: 1 / 3 }, { name: 'x', other: 1234.5678 }], { caption: 'a "c"' });
    expect(html).toContain('&lt;b&gt;&amp;');
    expect(html).toContain('0.3333');
    expect(html).toContain('1235');
    expect(html).toContain('a &quot;c&quot;');
    expect(html.match(/<th /g)).toHaveLength(3); // name, v, other
  });
});
