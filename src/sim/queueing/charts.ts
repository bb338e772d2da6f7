/**
 * Chart specs (vega-lite v5, render with show/toSvg) for putting a queueing model next to its simulation:
 * the closed form as a line, the simulation as points with their spread across seeds as error bars.
 */
import type { ChartOptions } from '../../viz/specs';

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

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Seeds' spread summarised: mean, min, max, sample standard deviation. */
export function spread(values: number[]): { mean: number; min: number; max: number; sd: number } {
  const n = values.length;
  if (n === 0) throw new RangeError('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, min: Math.min(...values), max: Math.max(...values), sd };
}

/**
 * Closed form (lines) vs simulation (points, with bars from lo to hi), one colour per series.
 * `subtitle` says what the bars are; the default names the usual reading.
 */
export function modelVsSimChart(model: ModelPoint[], sim: SimPoint[], opts: ChartOptions & { subtitle?: string }): object {
  const series = [...new Set([...model.map((m) => m.series), ...sim.map((s) => s.series)])];
  const color = { field: 'series', type: 'nominal', title: null, scale: { domain: series }, legend: { orient: 'top-left' } };
  const x = { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { type: opts.xScale ?? 'linear', zero: false } };
  const yScale = { type: opts.yScale ?? 'linear', zero: false };
  const subtitle = opts.subtitle ?? 'lines: closed form · points: simulation, mean over seeds · bars: min–max over seeds';
  return {
    $schema: SCHEMA,
    title: { text: opts.title ?? '', subtitle, subtitleColor: '#555' },
    width: opts.width ?? 480,
    height: opts.height ?? 280,
    layer: [
      {
        data: { values: model },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'y', type: 'quantitative', title: opts.yTitle, scale: yScale }, color },
      },
      {
        data: { values: sim },
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' }, color },
      },
      {
        data: { values: sim },
        mark: { type: 'point', filled: true, size: 40, opacity: 1 },
        encoding: { x, y: { field: 'y', type: 'quantitative', scale: yScale }, color },
      },
    ],
  };
}
