/**
 * Service-time distributions of the logic layer's workers. Times are given in seconds and drawn as whole
 * microseconds (the kernel's unit), rounded to nearest: keep means >= ~100 µs so rounding stays below 0.1%.
 */
import type { Rng } from '../rng';

export type ServiceTime =
  /** Exponential (M/M/c): memoryless, cv = 1. */
  | { dist: 'exp'; mean: number }
  /** Deterministic (M/D/c): every request takes exactly `mean`, cv = 0. */
  | { dist: 'det'; mean: number }
  /** Lognormal with the given mean and coefficient of variation (sd/mean): heavy right tail, like real handlers. */
  | { dist: 'lognormal'; mean: number; cv: number }
  /** Uniform on [min, max]. */
  | { dist: 'uniform'; min: number; max: number };

export const SERVICE_DISTS = ['exp', 'det', 'lognormal', 'uniform'] as const;

const US = 1e6;

function positive(name: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`service ${name} must be a finite number > 0 (seconds), got ${x}`);
}

/** Checks a spec; throws a RangeError naming the bad field. */
export function checkService(s: ServiceTime): void {
  switch (s.dist) {
    case 'exp':
    case 'det':
      positive('mean', s.mean);
      return;
    case 'lognormal':
      positive('mean', s.mean);
      if (!(s.cv >= 0) || !Number.isFinite(s.cv)) throw new RangeError(`service cv must be >= 0, got ${s.cv}`);
      return;
    case 'uniform':
      if (!(s.min >= 0 && s.max > s.min && Number.isFinite(s.max))) {
        throw new RangeError(`uniform service needs 0 <= min < max (seconds), got [${s.min}, ${s.max}]`);
      }
      return;
    default:
      throw new RangeError(`unknown service distribution '${(s as { dist: string }).dist}'; known: ${SERVICE_DISTS.join(', ')}`);
  }
}

/** Mean service time in seconds. */
export function serviceMean(s: ServiceTime): number {
  return s.dist === 'uniform' ? (s.min + s.max) / 2 : s.mean;
}

/** Coefficient of variation (sd / mean): 1 for exp, 0 for det; what Pollaczek–Khinchine needs. */
export function serviceCv(s: ServiceTime): number {
  switch (s.dist) {
    case 'exp':
      return 1;
    case 'det':
      return 0;
    case 'lognormal':
      return s.cv;
    case 'uniform':
      return (s.max - s.min) / Math.sqrt(12) / serviceMean(s);
  }
}

/** A sampler drawing whole microseconds from `rng`; made once per pool, so no closure per request. */
export function serviceSampler(s: ServiceTime, rng: Rng): () => number {
  checkService(s);
  switch (s.dist) {
    case 'exp': {
      const mean = s.mean * US;
      return () => Math.round(rng.exp(mean));
    }
    case 'det': {
      const v = Math.round(s.mean * US);
      return () => v;
    }
    case 'lognormal': {
      // X = e^(m + σZ): E[X] = e^(m + σ²/2), cv² = e^(σ²) − 1.
      const sigma = Math.sqrt(Math.log(1 + s.cv * s.cv));
      const m = Math.log(s.mean * US) - (sigma * sigma) / 2;
      return () => Math.round(Math.exp(m + sigma * rng.normal(0, 1)));
    }
    case 'uniform': {
      const lo = s.min * US;
      const span = (s.max - s.min) * US;
      return () => Math.round(lo + span * rng.next());
    }
  }
}
