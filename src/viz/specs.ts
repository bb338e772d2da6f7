// Small vega-lite v5 spec builders for the notebooks. They return plain objects (render with
// toSvg/show); data is inlined, and any derived data (CDF steps) is computed here in TS
// rather than with vega transforms, so a spec reads like the chart it draws.
export { sequenceDiagram } from './sequence';
export type { SequenceArrow, SequenceOptions } from './sequence';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface ChartOptions {
  title?: string;
  xTitle: string;
  yTitle: string;
  width?: number;
  height?: number;
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
}

/** Distinct values in order of first appearance: legends and colours follow the data order. */
function ordered(values: string[]): string[] {
  return [...new Set(values)];
}

function frame(opts: { title?: string; width?: number; height?: number }) {
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? 480,
    height: opts.height ?? 280,
  };
}

function quant(field: string, title: string, scale: 'linear' | 'log' | undefined, extra: object = {}) {
  // `zero` means nothing on a log scale, and vega-lite prints a warning into the notebook if it is set.
  const type = scale ?? 'linear';
  return { field, type: 'quantitative', title, scale: { type, ...(type === 'log' ? {} : { zero: false }), ...extra } };
}

/** One line per series (series optional), x/y numeric. */
export function lineChart(
  points: { x: number; y: number; series?: string }[],
  opts: ChartOptions & { points?: boolean },
): object {
  const series = ordered(points.map((p) => p.series ?? ''));
  const many = series.length > 1 || series[0] !== '';
  return {
    ...frame(opts),
    data: { values: points.map((p) => ({ x: p.x, y: p.y, series: p.series ?? '' })) },
    mark: { type: 'line', point: opts.points ?? false },
    encoding: {
      x: quant('x', opts.xTitle, opts.xScale),
      y: quant('y', opts.yTitle, opts.yScale),
      ...(many ? { color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } } } : {}),
    },
  };
}

/** Bars per category, side by side per group (colour) when groups are given. */
export function barChart(
  rows: { category: string; value: number; group?: string }[],
  opts: ChartOptions,
): object {
  const categories = ordered(rows.map((r) => r.category));
  const groups = ordered(rows.map((r) => r.group ?? ''));
  const grouped = groups.length > 1 || groups[0] !== '';
  return {
    ...frame(opts),
    data: { values: rows.map((r) => ({ category: r.category, value: r.value, group: r.group ?? '' })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'category', type: 'nominal', title: opts.xTitle, sort: categories, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: opts.yTitle, scale: { type: opts.yScale ?? 'linear' } },
      ...(grouped
        ? {
            xOffset: { field: 'group', type: 'nominal', sort: groups },
            color: { field: 'group', type: 'nominal', title: null, scale: { domain: groups } },
          }
        : {}),
    },
  };
}

/** Empirical CDF steps of one sample: (min, 0) then (v, fraction of samples <= v) per distinct v. */
export function ecdf(values: number[]): { value: number; p: number }[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const out = [{ value: sorted[0], p: 0 }];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue; // last index of a run of equal values
    out.push({ value: sorted[i], p: (i + 1) / n });
  }
  return out;
}

/** Empirical CDF per series, drawn as step lines; y is the fraction of samples <= x. */
export function cdfChart(
  samples: { series: string; value: number }[],
  opts: Omit<ChartOptions, 'yTitle' | 'yScale'> & { yTitle?: string },
): object {
  const series = ordered(samples.map((s) => s.series));
  const values = series.flatMap((name) =>
    ecdf(samples.filter((s) => s.series === name).map((s) => s.value)).map((pt) => ({ series: name, ...pt })),
  );
  return {
    ...frame(opts),
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: quant('value', opts.xTitle, opts.xScale),
      y: { field: 'p', type: 'quantitative', title: opts.yTitle ?? 'fraction ≤ x', scale: { domain: [0, 1] }, axis: { format: '%' } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } },
    },
  };
}
