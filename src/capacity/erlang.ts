/**
 * Closed forms for the logic layer's queue (design.md §9): M/M/1, M/M/c (Erlang C), M/M/c/c (Erlang B),
 * M/G/1 (Pollaczek–Khinchine), and the inverse questions a capacity planner asks ("how many workers so
 * that the mean wait, or the p-th percentile of the wait, stays under a target?").
 *
 * Units are the caller's, as long as they agree: rates per second with times in seconds, or per
 * millisecond with milliseconds. `a = λ/μ` is the offered load in Erlangs, `ρ = a/c` the per-worker load.
 *
 * Numerics: Erlang B by its recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which stays in [0, 1]
 * for any c (the textbook factorial sums overflow near c = 170); Erlang C from B as C = c·B / (c − a(1 − B)).
 */

/** Statistics of a queue in steady state. Infinity everywhere when the load is at or above capacity. */
export interface QueueMetrics {
  /** Offered load a = λ/μ, in Erlangs. */
  offered: number;
  /** Per-worker utilisation ρ = a/c. */
  rho: number;
  /** Probability that an arriving request waits at all (Erlang C; ρ for M/M/1). */
  pWait: number;
  /** Mean wait in the queue (before a worker takes the request). */
  Wq: number;
  /** Mean sojourn: wait + service. */
  W: number;
  /** Mean number waiting. */
  Lq: number;
  /** Mean number in the system (waiting + in service). */
  L: number;
}

function checkRate(name: string, x: number): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`${name} must be a finite number > 0, got ${x}`);
}

function checkWorkers(c: number): void {
  if (!Number.isSafeInteger(c) || c < 1) throw new RangeError(`workers must be an integer >= 1, got ${c}`);
}

function checkLoad(a: number): void {
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`offered load (Erlangs) must be a finite number >= 0, got ${a}`);
}

/** Erlang B: the probability that a request finds all c workers busy and is lost (M/M/c/c). */
export function erlangB(c: number, a: number): number {
  if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`workers must be an integer >= 0, got ${c}`);
  checkLoad(a);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: the probability that a request has to wait (M/M/c, infinite queue); 1 when a >= c. */
export function erlangC(c: number, a: number): number {
  checkWorkers(c);
  checkLoad(a);
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return (c * b) / (c - a * (1 - b));
}

/** M/M/c with arrival rate λ, service rate μ per worker, c workers. c = 1 is M/M/1. */
export function mmc(lambda: number, mu: number, c: number): QueueMetrics {
  checkRate('arrival rate', lambda);
  checkRate('service rate', mu);
  checkWorkers(c);
  const a = lambda / mu;
  const rho = a / c;
  if (rho >= 1) return { offered: a, rho, pWait: 1, Wq: Infinity, W: Infinity, Lq: Infinity, L: Infinity };
  const pWait = erlangC(c, a);
  const Wq = pWait / (c * mu - lambda);
  const W = Wq + 1 / mu;
  return { offered: a, rho, pWait, Wq, W, Lq: lambda * Wq, L: lambda * W };
}

/** M/M/1: Wq = ρ/(μ − λ). Written out on its own (not via mmc) so tests can compare the two. */
export function mm1(lambda: number, mu: number): QueueMetrics {
  checkRate('arrival rate', lambda);
  checkRate('service rate', mu);
  const rho = lambda / mu;
  if (rho >= 1) return { offered: rho, rho, pWait: 1, Wq: Infinity, W: Infinity, Lq: Infinity, L: Infinity };
  const Wq = rho / (mu - lambda);
  const W = 1 / (mu - lambda);
  return { offered: rho, rho, pWait: rho, Wq, W, Lq: lambda * Wq, L: lambda * W };
}

/**
 * M/G/1 by Pollaczek–Khinchine: Wq = λ·E[S²] / (2(1 − ρ)) with E[S²] = mean²·(1 + cv²).
 * cv = 1 gives M/M/1, cv = 0 gives M/D/1 (half the M/M/1 wait).
 */
export function mg1(lambda: number, meanService: number, cv: number): QueueMetrics {
  checkRate('arrival rate', lambda);
  checkRate('mean service time', meanService);
  if (!(cv >= 0) || !Number.isFinite(cv)) throw new RangeError(`coefficient of variation must be >= 0, got ${cv}`);
  const rho = lambda * meanService;
  if (rho >= 1) return { offered: rho, rho, pWait: 1, Wq: Infinity, W: Infinity, Lq: Infinity, L: Infinity };
  const Wq = (lambda * meanService * meanService * (1 + cv * cv)) / (2 * (1 - rho));
  const W = Wq + meanService;
  return { offered: rho, rho, pWait: rho, Wq, W, Lq: lambda * Wq, L: lambda * W };
}

/** M/M/c, FIFO: P(wait > t) = C·e^{−(cμ−λ)t} for t >= 0 (1 when unstable). */
export function waitExceeds(lambda: number, mu: number, c: number, t: number): number {
  if (!(t >= 0)) throw new RangeError(`t must be >= 0, got ${t}`);
  const m = mmc(lambda, mu, c);
  if (m.rho >= 1) return 1;
  return m.pWait * Math.exp(-(c * mu - lambda) * t);
}

/** M/M/c, FIFO: the p-quantile of the wait (0 < p < 1); 0 when at least a fraction p does not wait. */
export function waitQuantile(lambda: number, mu: number, c: number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile p must be in (0, 1), got ${p}`);
  const m = mmc(lambda, mu, c);
  if (m.rho >= 1) return Infinity;
  if (m.pWait <= 1 - p) return 0;
  return Math.log(m.pWait / (1 - p)) / (c * mu - lambda);
}

/** Workers searched before giving up: far beyond any load these functions are asked about. */
const MAX_WORKERS = 10_000_000;

/** Smallest c >= 1 for which ok(c) holds, scanning up from the least stable c; ok must be monotone in c. */
function smallestStable(lambda: number, mu: number, ok: (c: number) => boolean): number {
  checkRate('arrival rate', lambda);
  checkRate('service rate', mu);
  let c = Math.max(1, Math.floor(lambda / mu) + 1);
  while (!ok(c)) {
    c++;
    if (c > MAX_WORKERS) throw new RangeError(`no worker count up to ${MAX_WORKERS} meets the target`);
  }
  return c;
}

/** Smallest number of workers with mean wait Wq <= target (> 0), M/M/c. */
export function workersForMeanWait(lambda: number, mu: number, targetWq: number): number {
  if (!(targetWq > 0)) throw new RangeError(`target mean wait must be > 0, got ${targetWq}`);
  return smallestStable(lambda, mu, (c) => mmc(lambda, mu, c).Wq <= targetWq);
}

/**
 * Smallest number of workers with P(wait > t) <= maxFraction (M/M/c): "the p-th percentile of the
 * wait is at most t" is maxFraction = 1 − p.
 */
export function workersForWaitPercentile(lambda: number, mu: number, t: number, maxFraction: number): number {
  if (!(t >= 0)) throw new RangeError(`wait bound t must be >= 0, got ${t}`);
  if (!(maxFraction > 0 && maxFraction < 1)) throw new RangeError(`fraction allowed to wait longer must be in (0, 1), got ${maxFraction}`);
  return smallestStable(lambda, mu, (c) => waitExceeds(lambda, mu, c, t) <= maxFraction);
}

/** Smallest c with Erlang B blocking <= target (M/M/c/c: no waiting room, a request finding all busy is lost). */
export function workersForBlocking(a: number, target: number): number {
  checkLoad(a);
  if (!(target > 0 && target < 1)) throw new RangeError(`target blocking must be in (0, 1), got ${target}`);
  // B(c) = a·B(c−1)/(c + a·B(c−1)) decreases in c: walk the recursion until it drops below the target.
  let b = 1;
  for (let c = 1; c <= MAX_WORKERS; c++) {
    b = (a * b) / (c + a * b);
    if (b <= target) return c;
  }
  throw new RangeError(`no worker count up to ${MAX_WORKERS} meets the target`);
}

/** M/M/c/K: c workers and room for K − c waiting; a request finding K inside is lost. */
export interface FiniteQueueMetrics {
  /** Probability an arrival is refused (finds K requests inside). */
  blocking: number;
  /** Mean number waiting. */
  Lq: number;
  /** Mean wait of admitted requests. */
  Wq: number;
  /** Utilisation per worker (of admitted work). */
  rho: number;
}

/**
 * M/M/c/K with K >= c (system capacity: in service + waiting). K = c is Erlang B; K → ∞ tends to Erlang C.
 * With the state probabilities taken relative to p_c, the sum over 0..c is 1/B(c, a) and the waiting states
 * add ρ^j, so nothing overflows for large c: P(block) = ρ^{K−c} / (1/B + Σ_{j=1}^{K−c} ρ^j).
 */
export function mmck(lambda: number, mu: number, c: number, K: number): FiniteQueueMetrics {
  checkRate('arrival rate', lambda);
  checkRate('service rate', mu);
  checkWorkers(c);
  if (!Number.isSafeInteger(K) || K < c) throw new RangeError(`system capacity K must be an integer >= c (${c}), got ${K}`);
  const a = lambda / mu;
  const r = a / c;
  let norm = 1 / erlangB(c, a);
  let lq = 0;
  let rj = 1;
  for (let j = 1; j <= K - c; j++) {
    rj *= r;
    norm += rj;
    lq += j * rj;
  }
  const blocking = rj / norm;
  const Lq = lq / norm;
  const admitted = lambda * (1 - blocking);
  return { blocking, Lq, Wq: admitted > 0 ? Lq / admitted : 0, rho: admitted / (c * mu) };
}
