import { describe, expect, it, vi } from 'vitest';
import { toSvg } from '../../src/viz/render';
import { cdfChart, lineChart } from '../../src/viz/specs';

const spec = lineChart(
  [0, 1, 2, 3].map((x) => ({ x, y: x * x, series: 'sq' })),
  { xTitle: 'x', yTitle: 'y', title: 'squares', width: 200, height: 120 },
);

describe('toSvg', () => {
  it('renders a vega-lite spec to an SVG document', async () => {
    const svg = await toSvg(spec);
    expect(svg).toContain('<svg');
    expect(svg).toContain('squares');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('is byte-identical across renders', async () => {
    const [a, b] = [await toSvg(spec), await toSvg(JSON.parse(JSON.stringify(spec)))];
    expect(a).toBe(b);
  });

  it('rejects an invalid spec', async () => {
    await expect(toSvg({ mark: 'no-such-mark' })).rejects.toThrow();
  });

  it('renders log scales without warnings (they would show up as red boxes in a notebook)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const log = cdfChart([0.1, 1, 10, 100].map((value) => ({ series: 'a', value })), { xTitle: 's', xScale: 'log' });
      expect(await toSvg(log)).toContain('<svg');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
