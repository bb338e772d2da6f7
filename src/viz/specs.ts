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

/** Wide enough for the legends' series names ("plan: mean × peak factor 2"): vega's default cuts at 160 px. */
const LEGEND_LABEL_LIMIT = 400;

function frame(opts: { title?: string; width?: number; height?: number }, notes: string[] = []) {
  return {
    $schema: SCHEMA,
    ...(opts.title || notes.length ? { title: notes.length ? { text: opts.title ?? '', subtitle: notes, subtitleColor: '#a33' } : opts.title } : {}),
    width: opts.width ?? 480,
    height: opts.height ?? 280,
    config: { legend: { labelLimit: LEGEND_LABEL_LIMIT } },
  };
}

function quant(field: string, title: string, scale: 'linear' | 'log' | undefined, extra: object = {}) {
  // `zero` means nothing on a log scale, and vega-lite prints a warning into the notebook if it is set.
  const type = scale ?? 'linear';
  return { field, type: 'quantitative', title, scale: { type, ...(type === 'log' ? {} : { zero: false }), ...extra } };
}

/**
 * A log scale cannot place 0 or a negative value: vega draws NaN coordinates (an empty chart) and warns.
 * Keeps the rows whose `fields` are all > 0 when `scale` is log (all rows otherwise), and says how many
 * were dropped, as a note for the chart's subtitle.
 */
export function dropNonPositive<T>(rows: T[], fields: (keyof T)[], scale: 'linear' | 'log' | undefined, what = 'point'): { rows: T[]; note?: string } {
  if (scale !== 'log') return { rows };
  const kept = rows.filter((r) => fields.every((f) => (r[f] as unknown as number) > 0));
  const n = rows.length - kept.length;
  return n === 0 ? { rows } : { rows: kept, note: `${n} ${what}${n === 1 ? '' : 's'} ≤ 0 not drawn: a log scale cannot show them` };
}

/** One line per series (series optional), x/y numeric. */
export function lineChart(
  points: { x: number; y: number; series?: string }[],
  opts: ChartOptions & { points?: boolean },
): object {
  const series = ordered(points.map((p) => p.series ?? ''));
  const many = series.length > 1 || series[0] !== '';
  const xs = dropNonPositive(points, ['x'], opts.xScale);
  const ys = dropNonPositive(xs.rows, ['y'], opts.yScale);
  return {
    ...frame(opts, [xs.note, ys.note].filter((n): n is string => !!n)),
    data: { values: ys.rows.map((p) => ({ x: p.x, y: p.y, series: p.series ?? '' })) },
    mark: { type: 'line', point: opts.points ?? false },
    encoding: {
      x: quant('x', opts.xTitle, opts.xScale),
      y: quant('y', opts.yTitle, opts.yScale),
      ...(many ? { color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } } } : {}),
    },
  };
}

export interface BarOptions extends ChartOptions {
  /**
   * Category labels: 'auto' (default) keeps them flat while they fit, else tilts them and, when there are
   * more than fit even tilted, labels only every k-th bar; or a fixed angle in degrees.
   */
  labelAngle?: 'auto' | number;
  /** bars grow to the right, one category per row: long names stay readable */
  horizontal?: boolean;
}

/** Pixels one category label needs along the axis (11 px sans-serif: ~6 px per character). */
const labelPx = (label: string): number => 6 * label.length + 6;

/** The category axis: angle and which labels to draw so that they do not overlap (see BarOptions). */
function categoryAxis(categories: string[], bandPx: number, angle: 'auto' | number): Record<string, unknown> {
  if (angle !== 'auto') return { labelAngle: angle };
  const widest = Math.max(0, ...categories.map(labelPx));
  if (widest <= bandPx) return { labelAngle: 0 };
  // Tilted by 45°, neighbouring labels run parallel, band × sin 45° apart: enough for 11 px text from ~20 px.
  if (bandPx >= 20) return { labelAngle: -45, labelAlign: 'right' };
  // Narrower: vertical, and only every k-th when the text height (~13 px) does not fit either.
  const every = Math.ceil(14 / bandPx);
  const axis: Record<string, unknown> = { labelAngle: -90, labelAlign: 'right', labelBaseline: 'middle' };
  if (every > 1) axis.values = categories.filter((_, i) => i % every === 0);
  return axis;
}

/** Bars per category, side by side per group (colour) when groups are given. */
export function barChart(
  rows: { category: string; value: number; group?: string }[],
  opts: BarOptions,
): object {
  const categories = ordered(rows.map((r) => r.category));
  const groups = ordered(rows.map((r) => r.group ?? ''));
  const grouped = groups.length > 1 || groups[0] !== '';
  const kept = dropNonPositive(rows, ['value'], opts.yScale, 'bar');
  const f = frame(opts, kept.note ? [kept.note] : []);
  const along = opts.horizontal ? f.height : f.width;
  const cat = {
    field: 'category', type: 'nominal', title: opts.xTitle, sort: categories,
    axis: opts.horizontal ? {} : categoryAxis(categories, along / Math.max(1, categories.length), opts.labelAngle ?? 'auto'),
  };
  const val = { field: 'value', type: 'quantitative', title: opts.yTitle, scale: { type: opts.yScale ?? 'linear' } };
  return {
    ...f,
    data: { values: kept.rows.map((r) => ({ category: r.category, value: r.value, group: r.group ?? '' })) },
    mark: { type: 'bar' },
    encoding: {
      ...(opts.horizontal ? { y: cat, x: val } : { x: cat, y: val }),
      ...(grouped
        ? {
            [opts.horizontal ? 'yOffset' : 'xOffset']: { field: 'group', type: 'nominal', sort: groups },
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
  // dropped before the steps are computed would change the fractions: drop the steps instead, so the
  // curve still says which fraction of the sample lies at or below each positive x
  const steps = series.flatMap((name) =>
    ecdf(samples.filter((s) => s.series === name).map((s) => s.value)).map((pt) => ({ series: name, ...pt })),
  );
  const kept = dropNonPositive(steps, ['value'], opts.xScale, 'step');
  const values = kept.rows;
  return {
    ...frame(opts, kept.note ? [kept.note] : []),
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: quant('value', opts.xTitle, opts.xScale),
      y: { field: 'p', type: 'quantitative', title: opts.yTitle ?? 'fraction ≤ x', scale: { domain: [0, 1] }, axis: { format: '%' } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series } },
    },
  };
}

export interface ModelPoint {
  x: number;
  y: number;
  series: string;
}

export interface SimPoint {
  x: number;
  /** Mean over seeds. */
  y: number;
  /** Spread over seeds (e.g. min and max). */
  lo: number;
  hi: number;
  series: string;
}

/**
 * Closed form (lines) vs simulation (points, with bars from lo to hi), one colour per series.
 * `subtitle` says what the bars are; the default names the usual reading. On a log y scale, values ≤ 0
 * are left out (and a second subtitle line says how many); a bar whose `lo` is ≤ 0 starts at the
 * lowest value drawn, since a log axis has no 0 to reach down to.
 */
export function modelVsSimChart(model: ModelPoint[], sim: SimPoint[], opts: ChartOptions & { subtitle?: string }): object {
  const series = ordered([...model.map((m) => m.series), ...sim.map((s) => s.series)]);
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series }, legend: { orient: 'top-left' } };
  const xm = dropNonPositive(model, ['x'], opts.xScale, 'model point');
  const ym = dropNonPositive(xm.rows, ['y'], opts.yScale, 'model point');
  const xs = dropNonPositive(sim, ['x'], opts.xScale, 'simulated point');
  const ys = dropNonPositive(xs.rows, ['y'], opts.yScale, 'simulated point');
  let bars = ys.rows;
  const notes = [xm.note, ym.note, xs.note, ys.note].filter((n): n is string => !!n);
  if (opts.yScale === 'log') {
    const floor = Math.min(...ym.rows.map((m) => m.y), ...bars.map((s) => s.y));
    const cut = bars.filter((s) => s.lo <= 0).length;
    if (cut > 0) {
      bars = bars.map((s) => (s.lo > 0 ? s : { ...s, lo: Math.min(floor, s.y) }));
      notes.push(`${cut} bar${cut === 1 ? '' : 's'} reaching 0 cut at the bottom of the log axis`);
    }
  }
  const x = quant('x', opts.xTitle, opts.xScale);
  const y = (field: string, title?: string) => ({ ...quant(field, title ?? '', opts.yScale), ...(title ? {} : { title: null }) });
  const subtitle = [opts.subtitle ?? 'lines: closed form · points: simulation, mean over seeds · bars: min–max over seeds', ...notes];
  return {
    ...frame(opts),
    title: { text: opts.title ?? '', subtitle, subtitleColor: '#555' },
    layer: [
      { data: { values: ym.rows }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: y('y', opts.yTitle), color } },
      { data: { values: bars }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: y('lo'), y2: { field: 'hi' }, color } },
      { data: { values: ys.rows }, mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x, y: y('y'), color } },
    ],
  };
}
