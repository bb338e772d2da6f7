import { describe, expect, it } from 'vitest';
import { toSvg } from '../../../src/viz/render';
import { modelVsSimChart, spread } from '../../../src/sim/queueing/charts';

describe('spread', () => {
  it('mean, min, max and sample sd of the seeds', () => {
    const s = spread([1, 2, 3, 4]);
    expect(s).toEqual({ mean: 2.5, min: 1, max: 4, sd: Math.sqrt(5 / 3) });
    expect(spread([7]).sd).toBe(0);
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('modelVsSimChart', () => {
  const model = [0.5, 0.7, 0.9].map((x) => ({ x, y: x / (1 - x), series: 'c = 1' }));
  const sim = [{ x: 0.7, y: 2.4, lo: 2.2, hi: 2.6, series: 'c = 1' }];
  const spec = modelVsSimChart(model, sim, { title: 'Wq', xTitle: 'ρ', yTitle: 'wait', yScale: 'log' }) as {
    layer: { mark: { type: string }; data: { values: unknown[] }; encoding: Record<string, { field?: string; scale?: { type: string } }> }[];
  };

  it('draws the model as a line and the simulation as error bars and points', () => {
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'rule', 'point']);
    expect(spec.layer[0].data.values).toEqual(model);
    expect(spec.layer[1].encoding.y.field).toBe('lo');
    expect(spec.layer[1].encoding.y2.field).toBe('hi');
    for (const l of spec.layer) expect(l.encoding.y.scale!.type).toBe('log');
  });

  it('renders to SVG', async () => {
    const svg = await toSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('c = 1');
  });
});
