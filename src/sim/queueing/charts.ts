/**
 * Chart specs (vega-lite v5, render with show/toSvg) for putting a queueing model next to its simulation:
 * the closed form as a line, the simulation as points with their spread across seeds as error bars.
 */
// The chart builder lives with the other spec builders (src/viz/specs.ts); re-exported here for the queueing API.
export { modelVsSimChart, type ModelPoint, type SimPoint } from '../../viz/specs';

/** Seeds' spread summarised: mean, min, max, sample standard deviation. */
export function spread(values: number[]): { mean: number; min: number; max: number; sd: number } {
  const n = values.length;
  if (n === 0) throw new RangeError('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, min: Math.min(...values), max: Math.max(...values), sd };
}
