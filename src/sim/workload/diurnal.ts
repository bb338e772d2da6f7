// The day's shape of IM traffic: a rate multiplier over the time of day, mean 1 over a whole day,
// and arrivals from it (a non-homogeneous Poisson process, drawn by thinning). Deterministic from the
// random stream it is given.
import type { Rng } from '../rng';

export const DAY_US = 86_400_000_000;
const HOUR_US = 3_600_000_000;

/**
 * Relative activity per hour of the day (00:00 … 23:00), shaped like mobile IM traffic: a trough before
 * dawn (~04:00, a fifth of the mean), a morning rise, a plateau through the day, the peak in the evening
 * (~21:00, about 1.7× the mean). An assumption, not a measurement: the deck gives no curve; pass your own.
 */
export const IM_HOURLY: readonly number[] = [
  0.9, 0.6, 0.4, 0.25, 0.2, 0.25, 0.4, 0.7, 0.95, 1.05, 1.1, 1.15,
  1.2, 1.1, 1.05, 1.05, 1.1, 1.15, 1.2, 1.35, 1.55, 1.7, 1.6, 1.3,
];

export interface DiurnalCurve {
  /** Hourly weights, normalised to mean 1 (index = hour of day). */
  readonly hourly: readonly number[];
  /** Highest multiplier (peak / mean). */
  readonly peak: number;
  /** The multiplier at time t (µs; the day starts at multiples of 24 h), interpolated linearly between hours. */
  at(tUs: number): number;
  /** at(t) / peak, in [0, 1]: the share of the busiest hour's activity (who is online, in the connection layer). */
  relative(tUs: number): number;
  /** Time of day of the lowest hourly weight (the first, on the hour), µs after midnight: when "night" is. */
  readonly troughUs: number;
}

/**
 * A diurnal curve from 24 hourly weights (default IM_HOURLY), or 'flat' (always 1). Between the hours the
 * multiplier is linear (the weight of hour h holds at h:00), so the curve has no jumps.
 */
export function diurnalCurve(hourly: readonly number[] | 'flat' = IM_HOURLY): DiurnalCurve {
  const w = hourly === 'flat' ? new Array(24).fill(1) : [...hourly];
  if (w.length !== 24 || w.some((x) => !(x >= 0) || !Number.isFinite(x))) {
    throw new RangeError(`a diurnal curve needs 24 hourly weights >= 0 (00:00 … 23:00), got ${w.length}`);
  }
  const mean = w.reduce((a, b) => a + b, 0) / 24;
  if (!(mean > 0)) throw new RangeError('a diurnal curve needs some activity: all 24 weights are 0');
  const norm = w.map((x) => x / mean);
  const peak = Math.max(...norm);
  // Linear between hours: the day's mean of the interpolated curve equals the mean of the points.
  const at = (tUs: number): number => {
    const h = timeOfDay(tUs) / HOUR_US;
    const i = Math.floor(h);
    const f = h - i;
    return norm[i] * (1 - f) + norm[(i + 1) % 24] * f;
  };
  return {
    hourly: norm,
    peak,
    at,
    relative: (tUs) => at(tUs) / peak,
    troughUs: norm.indexOf(Math.min(...norm)) * HOUR_US,
  };
}

/** µs after midnight of time t (µs; days start at multiples of 24 h; negative t wraps back). */
export function timeOfDay(tUs: number): number {
  return ((tUs % DAY_US) + DAY_US) % DAY_US;
}

/**
 * The first time >= `fromUs` at which a run whose t = 0 fell at `startUs` after midnight reads the time of
 * day `clockUs` (e.g. a restart scheduled for the night's trough).
 */
export function nextTimeOfDay(fromUs: number, startUs: number, clockUs: number): number {
  return fromUs + timeOfDay(clockUs - timeOfDay(startUs + fromUs));
}

/**
 * The next arrival after `t` (µs) of a Poisson process whose rate is `perUs` × curve(t): thinning (Lewis &
 * Shedler) — candidates at the peak rate, each kept with probability curve(t) / peak. Returns Infinity
 * when the rate is 0.
 */
export function nextArrival(rng: Rng, t: number, perUs: number, curve: DiurnalCurve): number {
  if (!(perUs > 0)) return Infinity;
  const max = perUs * curve.peak;
  for (;;) {
    t += rng.exp(1 / max);
    if (rng.next() * curve.peak <= curve.at(t)) return Math.max(1, Math.round(t));
  }
}
