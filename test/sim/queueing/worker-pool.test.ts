import { describe, expect, it } from 'vitest';
import { erlangB, mg1, mmc, waitExceeds } from '../../../src/capacity/erlang';
import { Kernel } from '../../../src/sim/kernel';
import { WorkerPool, runWorkerPool, type PoolStats, type WorkerPoolOptions } from '../../../src/sim/queueing/worker-pool';

/*
 * How the tolerances were chosen. The simulated mean wait is a random estimate whose spread across seeds was
 * measured (20 seeds each, 2,000 warm-up customers):
 *   M/M/1 ρ=0.5, n=2·10^5: sd 1.3%   M/M/1 ρ=0.8, n=2·10^5: sd 2.7%   M/M/1 ρ=0.9, n=2·10^5: sd 4.8% (1·10^6: 2.0%)
 *   M/M/4 ρ=0.8, n=2·10^5: sd 3.5%   M/M/8 ρ=0.9, n=5·10^5: sd 2.9%
 *   Erlang B (c=12, a=10 / c=5, a=2), n=2·10^5: sd 1.2% / 1.8%   M/D/1, M/G/1 ρ=0.8: sd 1.6–1.9%
 *   P(W > T) counted as htime, M/M/4 ρ=0.8, T=2 ms: sd 4.8%     P(wait) vs Erlang C: sd 0.8%
 * and over 200 seeds the M/D/1 mean error was −0.14% ± 0.13%: no bias beyond sampling. So each seed must land
 * within ~3 sd of the closed form and the mean over 5 seeds (sd/√5) within ~3–4 of its sd. A wrong model
 * misses by far more: one worker too few or too many at ρ = 0.8 moves Wq by a factor of 2 or more.
 */
const SEEDS = [1, 2, 3, 4, 5];
const MS = 0.001;

function overSeeds(opts: WorkerPoolOptions, pick: (s: PoolStats) => number, truth: number) {
  const runs = SEEDS.map((seed) => runWorkerPool({ ...opts, seed }));
  const errors = runs.map((r) => pick(r) / truth - 1);
  const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
  return { runs, errors, meanError };
}

function expectClose(res: { errors: number[]; meanError: number }, each: number, mean: number): void {
  for (const e of res.errors) expect(Math.abs(e)).toBeLessThan(each);
  expect(Math.abs(res.meanError)).toBeLessThan(mean);
}

/** Little's law in every run: L = λW up to the warm-up's end effect (the identity itself is asserted inside). */
function expectLittle(r: PoolStats, tol = 2e-3): void {
  expect(r.little.queue.relError).toBeLessThan(tol);
  expect(r.little.system.relError).toBeLessThan(tol);
}

const exp1ms = { dist: 'exp', mean: MS } as const;

describe('M/M/1 against Wq = ρ/(μ − λ)', () => {
  for (const rho of [0.5, 0.8]) {
    it(`ρ = ${rho}: 5 seeds × 2·10^5 customers`, () => {
      const truth = mmc(rho * 1000, 1000, 1);
      const res = overSeeds({ arrivalRate: rho * 1000, workers: 1, service: exp1ms, customers: 200_000, warmup: 2000 }, (r) => r.meanWait, truth.Wq);
      expectClose(res, 0.1, 0.05);
      for (const r of res.runs) {
        expectLittle(r);
        expect(r.utilisation).toBeGreaterThan(rho - 0.02);
        expect(r.utilisation).toBeLessThan(rho + 0.02);
        expect(r.pWait).toBeGreaterThan(rho - 0.02); // P(wait) = ρ for one worker
        expect(r.pWait).toBeLessThan(rho + 0.02);
      }
    });
  }
});

describe('M/M/c against Erlang C', () => {
  it('c = 4, ρ = 0.8: mean wait, P(wait), Lq', () => {
    const truth = mmc(3200, 1000, 4);
    const res = overSeeds({ arrivalRate: 3200, workers: 4, service: exp1ms, customers: 200_000, warmup: 2000 }, (r) => r.meanWait, truth.Wq);
    expectClose(res, 0.1, 0.05);
    for (const r of res.runs) {
      expect(Math.abs(r.pWait / truth.pWait - 1)).toBeLessThan(0.03);
      expect(Math.abs(r.Lq / truth.Lq - 1)).toBeLessThan(0.12);
      expect(r.L - r.Lq).toBeGreaterThan(3.2 * 0.98); // mean busy workers = offered load a = λ/μ
      expect(r.L - r.Lq).toBeLessThan(3.2 * 1.02);
      expectLittle(r);
    }
  });

  it('c = 8, ρ = 0.9: 5 seeds × 5·10^5 customers', () => {
    const truth = mmc(7200, 1000, 8);
    const res = overSeeds({ arrivalRate: 7200, workers: 8, service: exp1ms, customers: 500_000, warmup: 2000 }, (r) => r.meanWait, truth.Wq);
    expectClose(res, 0.1, 0.05);
    for (const r of res.runs) expectLittle(r);
  });

  it('htime (waits longer than T) matches P(W > T) = C·e^{−(cμ−λ)T}', () => {
    const truth = waitExceeds(3200, 1000, 4, 2 * MS);
    const res = overSeeds(
      { arrivalRate: 3200, workers: 4, service: exp1ms, customers: 200_000, warmup: 2000, timeout: 2 * MS },
      (r) => r.timedOut / r.served,
      truth,
    );
    expectClose(res, 0.15, 0.07);
    for (const r of res.runs) expect(r.dropped).toBe(0); // count mode serves them anyway
  });

  it('wait percentiles follow the closed form (p99 within 10%)', () => {
    const r = runWorkerPool({ arrivalRate: 3200, workers: 4, service: exp1ms, customers: 200_000, warmup: 2000, recordWaits: true, seed: 9 });
    const p99 = Math.log(mmc(3200, 1000, 4).pWait / 0.01) / (4000 - 3200);
    expect(Math.abs(r.waitQuantiles!.p99 / p99 - 1)).toBeLessThan(0.1);
    expect(r.waits!.length).toBe(r.served);
    const mean = r.waits!.reduce((a, b) => a + b, 0) / r.waits!.length;
    expect(mean).toBeCloseTo(r.meanWait, 9);
  });
});

describe('bounded queue: blocking', () => {
  for (const [c, a] of [[12, 10], [5, 2]] as const) {
    it(`M/M/${c}/${c} (no waiting room) blocks Erlang B(${c}, ${a}) of the requests`, () => {
      const res = overSeeds(
        { arrivalRate: a * 1000, workers: c, service: exp1ms, customers: 200_000, warmup: 1000, queueLimit: 0 },
        (r) => r.blockingRate,
        erlangB(c, a),
      );
      expectClose(res, 0.08, 0.03);
      for (const r of res.runs) {
        expect(r.meanWait).toBe(0);
        expect(r.Lq).toBe(0);
        expect(r.arrivals).toBe(r.admitted + r.blocked);
        expectLittle(r);
      }
    });
  }

  it('Erlang B does not care about the service distribution (lognormal, cv 1.5)', () => {
    const res = overSeeds(
      { arrivalRate: 10_000, workers: 12, service: { dist: 'lognormal', mean: MS, cv: 1.5 }, customers: 200_000, warmup: 1000, queueLimit: 0 },
      (r) => r.blockingRate,
      erlangB(12, 10),
    );
    expectClose(res, 0.08, 0.03);
  });

  it('M/M/1/K blocks (1−ρ)ρ^K / (1−ρ^{K+1})', () => {
    const K = 5; // one in service + 4 waiting
    const rho = 0.9;
    const truth = ((1 - rho) * rho ** K) / (1 - rho ** (K + 1));
    const res = overSeeds(
      { arrivalRate: rho * 1000, workers: 1, service: exp1ms, customers: 200_000, warmup: 1000, queueLimit: K - 1 },
      (r) => r.blockingRate,
      truth,
    );
    expectClose(res, 0.08, 0.04);
  });
});

describe('M/G/1 against Pollaczek–Khinchine', () => {
  it('M/D/1 waits half as long as M/M/1', () => {
    const res = overSeeds({ arrivalRate: 800, workers: 1, service: { dist: 'det', mean: MS }, customers: 200_000, warmup: 1000 }, (r) => r.meanWait, mg1(800, MS, 0).Wq);
    expectClose(res, 0.08, 0.04);
  });

  it('lognormal (cv 0.5) and uniform service times', () => {
    const logn = overSeeds(
      { arrivalRate: 800, workers: 1, service: { dist: 'lognormal', mean: MS, cv: 0.5 }, customers: 200_000, warmup: 1000 },
      (r) => r.meanWait,
      mg1(800, MS, 0.5).Wq,
    );
    expectClose(logn, 0.08, 0.04);
    const uni = overSeeds(
      { arrivalRate: 800, workers: 1, service: { dist: 'uniform', min: 0.5 * MS, max: 1.5 * MS }, customers: 200_000, warmup: 1000 },
      (r) => r.meanWait,
      mg1(800, MS, 1 / Math.sqrt(12)).Wq,
    );
    expectClose(uni, 0.08, 0.04);
  });
});

describe("Little's law", () => {
  it('is exact when the run starts empty, is measured whole and drains', () => {
    const r = runWorkerPool({ arrivalRate: 900, workers: 1, service: exp1ms, customers: 50_000, seed: 3 });
    expect(r.drained).toBe(true);
    expect(r.little.queue.relError).toBeLessThan(1e-12);
    expect(r.little.system.relError).toBeLessThan(1e-12);
    // Independently of the pool's own sums: Lq = (admitted / window) × mean of the recorded waits.
    const rec = runWorkerPool({ arrivalRate: 900, workers: 1, service: exp1ms, customers: 50_000, seed: 3, recordWaits: true });
    const sum = rec.waits!.reduce((a, b) => a + b, 0);
    expect(rec.Lq).toBeCloseTo(sum / rec.window, 9);
  });

  it('holds under overload with timeouts dropping requests', () => {
    const r = runWorkerPool({ arrivalRate: 1200, workers: 1, service: exp1ms, customers: 50_000, timeout: 20 * MS, onTimeout: 'drop', seed: 4 });
    expect(r.little.queue.relError).toBeLessThan(1e-12);
    expect(r.dropped).toBeGreaterThan(0);
  });
});

describe('timeouts that drop (htime with reneging)', () => {
  const opts: WorkerPoolOptions = {
    arrivalRate: 1500, workers: 1, service: exp1ms, customers: 60_000, warmup: 1000,
    timeout: 10 * MS, onTimeout: 'drop', recordWaits: true, sampleEvery: 1,
  };
  const r = runWorkerPool({ ...opts, seed: 5 });

  it('no served request waited longer than T; every admitted request is served or dropped', () => {
    expect(r.maxWait).toBeLessThanOrEqual(10 * MS);
    expect(Math.max(...r.waits!)).toBeLessThanOrEqual(10 * MS);
    expect(r.admitted).toBe(r.served + r.dropped);
    expect(r.timedOut).toBe(r.dropped);
  });

  it('keeps an overloaded pool (ρ = 1.5) stable: throughput ≈ μ, the rest times out', () => {
    expect(r.utilisation).toBeGreaterThan(0.97);
    expect(r.throughput).toBeGreaterThan(950);
    expect(r.throughput).toBeLessThan(1050);
    // The work beyond capacity, about 1 − 1/ρ = 1/3 of the requests, times out (a little less: the worker still idles
    // now and then, when the backlog happens to empty).
    expect(r.dropped / r.admitted).toBeGreaterThan(0.28);
    expect(r.dropped / r.admitted).toBeLessThan(0.36);
    // The backlog cannot exceed the requests that arrive within one timeout, plus Poisson slack.
    expect(Math.max(...r.series!.cmdq)).toBeLessThan(1500 * 0.01 * 2);
    expectLittle(r, 5e-3);
  });

  it('without the timeout the same overload grows the backlog without bound', () => {
    const q = runWorkerPool({ ...opts, timeout: undefined, onTimeout: undefined, seed: 5 });
    const cmdq = q.series!.cmdq;
    expect(cmdq[30]).toBeGreaterThan(10_000); // ~500/s excess for 30 s
    expect(cmdq[30]).toBeGreaterThan(cmdq[10] * 2);
  });
});

describe('the monitoring series (cmd, cmdq, htime)', () => {
  it('adds up to the totals and ends drained', () => {
    const warmupless = runWorkerPool({ arrivalRate: 3000, workers: 4, service: exp1ms, customers: 30_000, timeout: 2 * MS, sampleEvery: 0.5, seed: 6 });
    const s = warmupless.series!;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(s.cmd)).toBe(30_000);
    expect(sum(s.htime)).toBe(warmupless.timedOut);
    expect(s.cmdq.every((x) => x >= 0)).toBe(true);
    expect(s.busy.every((x) => x >= 0 && x <= 4)).toBe(true);
    expect(s.cmdq[s.cmdq.length - 1]).toBe(0); // drains at rest
    expect(s.t[1] - s.t[0]).toBeCloseTo(0.5, 9);
  });
});

describe('determinism', () => {
  const opts: WorkerPoolOptions = { arrivalRate: 3500, workers: 4, service: { dist: 'lognormal', mean: MS, cv: 1 }, customers: 20_000, timeout: 3 * MS, sampleEvery: 1 };
  it('the same seed gives identical statistics', () => {
    expect(runWorkerPool({ ...opts, seed: 'x' })).toEqual(runWorkerPool({ ...opts, seed: 'x' }));
  });
  it('another seed gives other statistics', () => {
    expect(runWorkerPool({ ...opts, seed: 'y' }).meanWait).not.toBe(runWorkerPool({ ...opts, seed: 'x' }).meanWait);
  });
  it('a pool on a shared kernel draws only from its own named streams', () => {
    const k = new Kernel({ seed: 'x' });
    k.rng('someone-else').next(); // another component's draws must not shift the pool
    const pool = new WorkerPool(k, opts);
    pool.start();
    k.run();
    const { events: _e, ...alone } = runWorkerPool({ ...opts, seed: 'x' });
    expect(pool.result()).toEqual(alone);
  });
});

describe('options', () => {
  const ok: WorkerPoolOptions = { arrivalRate: 1, workers: 1, service: exp1ms, customers: 10 };
  it.each([
    [{ arrivalRate: 0 }, /arrivalRate/],
    [{ workers: 1.5 }, /workers/],
    [{ customers: 0 }, /customers/],
    [{ warmup: 10 }, /warmup/],
    [{ queueLimit: -1 }, /queueLimit/],
    [{ timeout: 0 }, /timeout/],
    [{ onTimeout: 'drop' }, /needs a timeout/],
    [{ service: { dist: 'exp', mean: -1 } }, /mean/],
    [{ service: { dist: 'uniform', min: 2, max: 1 } }, /min < max/],
    [{ service: { dist: 'pareto', mean: 1 } }, /unknown service distribution/],
  ] as [Partial<WorkerPoolOptions>, RegExp][])('rejects %j', (bad, msg) => {
    expect(() => runWorkerPool({ ...ok, ...bad } as WorkerPoolOptions)).toThrow(msg);
  });

  it('start() twice is an error', () => {
    const pool = new WorkerPool(new Kernel(), ok);
    pool.start();
    expect(() => pool.start()).toThrow(/already started/);
  });

  it('result() before the end counts the requests still inside (identity still holds)', () => {
    const k = new Kernel({ seed: 1 });
    const pool = new WorkerPool(k, { arrivalRate: 2000, workers: 1, service: exp1ms, customers: 10_000 });
    pool.start();
    k.run({ until: 2_000_000 });
    const r = pool.result(); // throws if the bookkeeping of open requests were wrong
    expect(r.drained).toBe(false);
    expect(pool.backlog).toBeGreaterThan(0);
    expect(r.endTime).toBe(2);
  });
});
