import { describe, expect, it, vi } from 'vitest';
import { toSvg } from '../../src/viz/render';
import { barChart, cdfChart, ecdf, lineChart, modelVsSimChart, sequenceDiagram } from '../../src/viz/specs';
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

  it('shows an undefined number (NaN) as – and infinities as ∞', () => {
    const html = tableHtml([{ p50: NaN, max: Infinity, min: -Infinity }]);
    expect(html).not.toContain('NaN');
    expect(html).toContain('>–<');
    expect(html).toContain('>∞<');
    expect(html).toContain('>−∞<');
  });
});

describe('log scales never get values ≤ 0', () => {
  // vega draws NaN coordinates for them (an empty chart) and warns into the notebook's stderr.
  async function renderQuietly(spec: object): Promise<{ svg: string; warnings: string[] }> {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => { warnings.push(a.join(' ')); });
    try {
      return { svg: await toSvg(spec), warnings };
    } finally {
      spy.mockRestore();
    }
  }
  // every `scale` object of type log that sets `zero` (vega-lite warns that it drops it)
  const logScalesWithZero = (o: any): unknown[] =>
    o && typeof o === 'object'
      ? [...(o.type === 'log' && 'zero' in o ? [o] : []), ...Object.values(o).flatMap(logScalesWithZero)]
      : [];
  const yOf = (spec: any, field = 'y') => spec.data.values.map((v: any) => v[field]);

  it('lineChart drops them, says so, and the SVG has no NaN nor warnings', async () => {
    const pts = [{ x: 1, y: 0 }, { x: 2, y: 0.5 }, { x: 3, y: 4 }, { x: 4, y: -1 }];
    const spec = lineChart(pts, { title: 'w', xTitle: 'x', yTitle: 'y', yScale: 'log' }) as any;
    expect(yOf(spec)).toEqual([0.5, 4]);
    expect(spec.title.subtitle.join(' ')).toMatch(/2 points ≤ 0 not drawn/);
    expect(logScalesWithZero(spec)).toEqual([]);
    const { svg, warnings } = await renderQuietly(spec);
    expect(svg).not.toContain('NaN');
    expect(warnings).toEqual([]);
    // linear: all kept, no note
    const lin = lineChart(pts, { title: 'w', xTitle: 'x', yTitle: 'y' }) as any;
    expect(yOf(lin)).toHaveLength(4);
    expect(lin.title).toBe('w');
  });

  it('barChart and cdfChart too', async () => {
    const bar = barChart([{ category: 'a', value: 0 }, { category: 'b', value: 3 }], { xTitle: 'c', yTitle: 'v', yScale: 'log' }) as any;
    expect(yOf(bar, 'value')).toEqual([3]);
    const cdf = cdfChart([0, 1, 2, 3].map((value) => ({ series: 's', value })), { xTitle: 'v', xScale: 'log' }) as any;
    expect(cdf.data.values.every((v: any) => v.value > 0)).toBe(true);
    expect(cdf.data.values.at(-1).p).toBe(1); // fractions are of the whole sample
    for (const s of [bar, cdf]) {
      const { svg, warnings } = await renderQuietly(s);
      expect(svg).not.toContain('NaN');
      expect(warnings).toEqual([]);
    }
  });

  it('modelVsSimChart: a zero mean wait (c = 32 at ρ = 0.3) and error bars down to 0', async () => {
    const model = [0.3, 0.5].map((x) => ({ x, y: x ** 8, series: 'c = 32' }));
    const sim = [
      { x: 0.3, y: 0, lo: 0, hi: 0, series: 'c = 32' },
      { x: 0.5, y: 0.004, lo: 0, hi: 0.01, series: 'c = 32' },
    ];
    const spec = modelVsSimChart(model, sim, { title: 'Wq', xTitle: 'ρ', yTitle: 'wait', yScale: 'log' }) as any;
    expect(spec.layer[2].data.values.map((v: any) => v.x)).toEqual([0.5]);
    const bar = spec.layer[1].data.values[0];
    expect(bar.lo).toBeGreaterThan(0);
    expect(bar.lo).toBeLessThanOrEqual(0.004);
    expect(spec.title.subtitle.join(' ')).toMatch(/1 simulated point ≤ 0 not drawn.*1 bar reaching 0/);
    expect(logScalesWithZero(spec)).toEqual([]);
    const { svg, warnings } = await renderQuietly(spec);
    expect(svg).not.toContain('NaN');
    expect(warnings).toEqual([]);
  });
});

describe('legends and category axes stay readable', () => {
  it('legend labels are not cut at vega\'s default 160 px', async () => {
    const long = 'plan: mean × peak factor 2, all day long';
    const line = lineChart([{ x: 0, y: 1, series: long }, { x: 1, y: 2, series: 'workload model (IM_HOURLY)' }], { xTitle: 'h', yTitle: 'msg/s' }) as any;
    expect(line.config.legend.labelLimit).toBeGreaterThanOrEqual(300);
    const svg = await toSvg(line);
    expect(svg).toContain(long); // a truncated label ends in "…"
    expect(svg).not.toContain('…');
    const mvs = modelVsSimChart([{ x: 1, y: 1, series: long }], [], { xTitle: 'x', yTitle: 'y' }) as any;
    expect(mvs.config.legend.labelLimit).toBeGreaterThanOrEqual(300);
  });

  it('short labels stay flat; long ones tilt; too many are thinned; or bars go horizontal', () => {
    const bars = (cats: string[], opts = {}) =>
      barChart(cats.map((category) => ({ category, value: 1 })), { xTitle: 'x', yTitle: 'y', width: 560, ...opts }) as any;
    expect(bars(['wifi', '4g', '3g']).encoding.x.axis).toEqual({ labelAngle: 0 });
    const kinds = Array.from({ length: 12 }, (_, i) => `bob→server ${['SEND', 'ACK', 'SYNC'][i % 3]}${i}`);
    const tilted = bars(kinds).encoding.x.axis;
    expect(tilted.labelAngle).not.toBe(0);
    expect(tilted.values).toBeUndefined(); // all 12 still labelled
    const many = Array.from({ length: 80 }, (_, i) => String(i + 1).padStart(2, '0'));
    const thinned = bars(many, { width: 620 }).encoding.x.axis;
    expect(thinned.values.length).toBeLessThanOrEqual(620 / 14);
    expect(thinned.values[0]).toBe('01');
    expect(bars(kinds, { labelAngle: -30 }).encoding.x.axis).toEqual({ labelAngle: -30 });
    const h = bars(kinds, { horizontal: true });
    expect(h.encoding.y.field).toBe('category');
    expect(h.encoding.x.field).toBe('value');
  });
});

describe('sequenceDiagram timeSpan', () => {
  it('draws two exchanges at one time scale', () => {
    const fast = sequenceDiagram([arrows[0]], { lanes, height: 300, timeSpan: 300 * ms }) as any;
    const slow = sequenceDiagram(arrows, { lanes, height: 300, timeSpan: 300 * ms }) as any;
    const dom = (s: any) => s.layer[1].layer[0].encoding.y.scale.domain;
    const len = (d: number[]) => d[1] - d[0];
    expect(len(dom(fast))).toBeCloseTo(len(dom(slow)));
    expect(dom(fast)[0]).toBeLessThan(0);
    expect(dom(fast)[1]).toBeGreaterThan(300);
    // without it, each fills its height
    const own = sequenceDiagram([arrows[0]], { lanes, height: 300 }) as any;
    expect(len(dom(own))).toBeLessThan(50);
    expect(() => sequenceDiagram(arrows, { lanes, timeSpan: 100 * ms })).toThrow(/shorter than the arrows/);
  });
});

describe('sequenceDiagram labels', () => {
  it('slide along their arrows instead of piling up when arrows are close in time', () => {
    // five parallel pushes 5 ms apart: their middles would be ~9 px apart, less than a line of text
    const burst: SequenceArrow[] = [0, 1, 2, 3, 4].map((i) => ({ from: 'server', to: 'bob', sent: i * 5 * ms, received: (i * 5 + 100) * ms, label: `msg ${i}` }));
    const s = sequenceDiagram(burst, { lanes: ['server', 'bob'], width: 400, height: 300 }) as any;
    const v = s.layer[1].data.values;
    const dom = s.layer[1].layer[0].encoding.y.scale.domain;
    const px = (r: any) => [(r.labelX + 0.5) * (400 / 2), (r.labelY - dom[0]) * (300 / (dom[1] - dom[0]))];
    const mids = v.filter((r: any) => Math.abs(r.labelY - (r.y + r.y2) / 2) < 1e-6);
    expect(mids.length).toBeLessThan(burst.length); // some moved
    for (let i = 0; i < v.length; i++) {
      for (let j = i + 1; j < v.length; j++) {
        const [ax, ay] = px(v[i]), [bx, by] = px(v[j]);
        expect(Math.hypot(ax - bx, ay - by), `labels ${i} and ${j}`).toBeGreaterThan(13);
      }
    }
    // every label stays on its own arrow
    for (const r of v) {
      const f = (r.labelY - r.y) / (r.y2 - r.y);
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThan(1);
      expect(r.labelX - r.x).toBeCloseTo((r.x2 - r.x) * f);
    }
  });
});
