/**
 * A day's shape for the connection layer: the fraction of users who want to be online at each hour,
 * relative to the evening peak. The hourly factors are an illustrative mobile-app curve (a trough near
 * 04:00 at about an eighth of the peak, a morning rise, a plateau through the day, the peak around
 * 21:00) — the deck gives no curve, so this is an assumption to replace with your own (24 values).
 *
 * Note for the lead: the workload helper (platform mix, message rates) may have its own diurnal curve;
 * this one only drives who is connected, and can be folded into that one.
 */

const HOUR_S = 3600;
export const DAY_S = 24 * HOUR_S;

/** Relative online population per hour of the day (index = hour, 1 = the peak). */
export const DEFAULT_DIURNAL_CURVE: readonly number[] = [
  0.45, 0.3, 0.2, 0.15, 0.12, 0.14, 0.22, 0.38, 0.55, 0.62, 0.66, 0.7,
  0.74, 0.7, 0.66, 0.66, 0.68, 0.72, 0.78, 0.86, 0.94, 1.0, 0.9, 0.68,
];

export function checkCurve(curve: readonly number[]): void {
  if (curve.length !== 24) throw new RangeError(`a diurnal curve has 24 hourly values, got ${curve.length}`);
  for (const v of curve) if (!(v >= 0 && v <= 1)) throw new RangeError(`diurnal curve values must be in [0, 1], got ${v}`);
  if (Math.max(...curve) <= 0) throw new RangeError('a diurnal curve needs at least one value > 0');
}

/** The curve at `clockS` seconds after midnight (any number; wraps per day), linear between hours. */
export function diurnalFactor(curve: readonly number[], clockS: number): number {
  const h = (((clockS % DAY_S) + DAY_S) % DAY_S) / HOUR_S;
  const i = Math.floor(h);
  const f = h - i;
  return curve[i] * (1 - f) + curve[(i + 1) % 24] * f;
}

/** Seconds after midnight of the curve's lowest point (the first one, on the hour). */
export function troughClock(curve: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < 24; i++) if (curve[i] < curve[best]) best = i;
  return best * HOUR_S;
}

/** The first simulated second >= `fromS` at which the clock reads `clockS`, for a run starting at `startClockS`. */
export function nextClock(fromS: number, startClockS: number, clockS: number): number {
  const nowClock = (((startClockS + fromS) % DAY_S) + DAY_S) % DAY_S;
  const wait = (((clockS - nowClock) % DAY_S) + DAY_S) % DAY_S;
  return fromS + wait;
}
