import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  erlangB,
  erlangC,
  mg1,
  mm1,
  mmck,
  mmc,
  waitExceeds,
  waitQuantile,
  workersForBlocking,
  workersForMeanWait,
  workersForWaitPercentile,
} from '../../src/capacity/erlang';

// A second, independent method: the textbook factorial sums (fine for small c, overflow past ~170).
function fact(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}
function erlangBSum(c: number, a: number): number {
  let s = 0;
  for (let k = 0; k <= c; k++) s += a ** k / fact(k);
  return a ** c / fact(c) / s;
}
function erlangCSum(c: number, a: number): number {
  const top = (a ** c / fact(c)) * (c / (c - a));
  let s = 0;
  for (let k = 0; k < c; k++) s += a ** k / fact(k);
  return top / (s + top);
}

describe('Erlang B', () => {
  it('matches the textbook table: a = 10 Erlangs, c = 12 -> 0.1197', () => {
    // Erlang B tables give 0.1197 (e.g. the standard traffic tables; also the factorial sum below).
    expect(erlangB(12, 10)).toBeCloseTo(0.1197, 4);
    expect(erlangB(10, 10)).toBeCloseTo(0.2146, 4);
    expect(erlangB(5, 2)).toBeCloseTo(0.0367, 4);
    expect(erlangB(0, 3)).toBe(1);
    expect(erlangB(4, 0)).toBe(0);
  });

  it('agrees with the factorial sums for small c', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 80, noNaN: true }), (c, a) => {
        expect(erlangB(c, a)).toBeCloseTo(erlangBSum(c, a), 10);
      }),
    );
  });

  it('stays finite where the factorial sums overflow', () => {
    const b = erlangB(5000, 4900);
    expect(b).toBeGreaterThan(0);
    expect(b).toBeLessThan(0.05);
    expect(erlangBSum(200, 190)).toBeNaN(); // why the recursion is used
  });

  it('decreases in c and increases in a', () => {
    for (let c = 1; c < 40; c++) expect(erlangB(c + 1, 20)).toBeLessThan(erlangB(c, 20));
    for (let a = 1; a < 40; a++) expect(erlangB(20, a + 1)).toBeGreaterThan(erlangB(20, a));
  });
});

describe('Erlang C', () => {
  it('agrees with the closed form of design.md §9 (factorial sums)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (c, rho) => {
        expect(erlangC(c, rho * c)).toBeCloseTo(erlangCSum(c, rho * c), 9);
      }),
    );
  });

  it('known values: M/M/2 at rho 0.5 -> 1/3; a = 10, c = 12 -> 0.4494', () => {
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12); // 2ρ²/(1+ρ)
    expect(erlangC(12, 10)).toBeCloseTo(0.44939, 5);
  });

  it('is 1 at or above saturation and equals rho for one worker', () => {
    expect(erlangC(4, 4)).toBe(1);
    expect(erlangC(4, 9)).toBe(1);
    for (const rho of [0.1, 0.5, 0.9, 0.99]) expect(erlangC(1, rho)).toBeCloseTo(rho, 12);
  });

  it('is at least Erlang B (waiting instead of losing keeps more requests waiting)', () => {
    for (let c = 1; c < 30; c++) expect(erlangC(c, 0.8 * c)).toBeGreaterThanOrEqual(erlangB(c, 0.8 * c));
  });
});

describe('M/M/1 and M/M/c', () => {
  it('M/M/1: Wq = rho/(mu - lambda), and mmc with c = 1 is the same', () => {
    const m = mm1(800, 1000);
    expect(m.Wq).toBeCloseTo(0.8 / 200, 12);
    expect(m.W).toBeCloseTo(1 / 200, 12);
    expect(m.L).toBeCloseTo(4, 12);
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.1, max: 1e5, noNaN: true }), (rho, mu) => {
        const a = mm1(rho * mu, mu);
        const b = mmc(rho * mu, mu, 1);
        for (const k of ['Wq', 'W', 'Lq', 'L', 'pWait'] as const) expect(b[k]).toBeCloseTo(a[k], 6);
      }),
    );
  });

  it("Little's law holds inside the formulas: L = lambda W, Lq = lambda Wq, L - Lq = a", () => {
    const m = mmc(9000, 1000, 12);
    expect(m.L).toBeCloseTo(9000 * m.W, 9);
    expect(m.Lq).toBeCloseTo(9000 * m.Wq, 9);
    expect(m.L - m.Lq).toBeCloseTo(9, 9);
  });

  it('blows up as rho -> 1 and is infinite beyond', () => {
    let last = 0;
    for (const rho of [0.5, 0.9, 0.99, 0.999, 0.9999]) {
      const w = mmc(rho * 8 * 1000, 1000, 8).Wq;
      expect(w).toBeGreaterThan(last);
      last = w;
    }
    expect(last).toBeGreaterThan(0.1); // 1e-4 from saturation: > 100 service times
    expect(mmc(8000, 1000, 8).Wq).toBe(Infinity);
    expect(mm1(1200, 1000).L).toBe(Infinity);
  });

  it('the wait decreases in c at a fixed arrival rate', () => {
    for (let c = 5; c < 30; c++) expect(mmc(4500, 1000, c + 1).Wq).toBeLessThan(mmc(4500, 1000, c).Wq);
  });

  it('rejects nonsense', () => {
    expect(() => mmc(0, 1, 1)).toThrow(RangeError);
    expect(() => mmc(1, -1, 1)).toThrow(RangeError);
    expect(() => mmc(1, 2, 1.5)).toThrow(RangeError);
    expect(() => erlangB(-1, 1)).toThrow(RangeError);
    expect(() => erlangC(3, Number.NaN)).toThrow(RangeError);
  });
});

describe('M/G/1 (Pollaczek-Khinchine)', () => {
  it('cv = 1 is M/M/1; cv = 0 (M/D/1) waits half as long', () => {
    const mm = mm1(700, 1000);
    expect(mg1(700, 0.001, 1).Wq).toBeCloseTo(mm.Wq, 12);
    expect(mg1(700, 0.001, 0).Wq).toBeCloseTo(mm.Wq / 2, 12);
  });
});

describe('the wait distribution', () => {
  it('P(W > 0) is Erlang C, P(W > t) decays exponentially at rate c mu - lambda', () => {
    expect(waitExceeds(9000, 1000, 12, 0)).toBeCloseTo(erlangC(12, 9), 12);
    const r = waitExceeds(9000, 1000, 12, 0.002) / waitExceeds(9000, 1000, 12, 0.001);
    expect(r).toBeCloseTo(Math.exp(-3000 * 0.001), 12);
  });

  it('the quantile inverts P(W > t)', () => {
    const t = waitQuantile(9000, 1000, 12, 0.99);
    expect(waitExceeds(9000, 1000, 12, t)).toBeCloseTo(0.01, 12);
    expect(waitQuantile(1000, 1000, 12, 0.5)).toBe(0); // almost nobody waits
  });

  it('integrating P(W > t) gives the mean wait', () => {
    // E[W] = ∫ P(W > t) dt = C/(cμ−λ): check numerically, trapezoid rule on a fine grid.
    const [l, mu, c] = [7000, 1000, 8];
    let s = 0;
    const dt = 1e-6;
    for (let t = 0; t < 0.05; t += dt) s += ((waitExceeds(l, mu, c, t) + waitExceeds(l, mu, c, t + dt)) / 2) * dt;
    expect(s / mmc(l, mu, c).Wq).toBeCloseTo(1, 4);
  });
});

describe('sizing', () => {
  it('the smallest c meeting a mean-wait target', () => {
    const c = workersForMeanWait(20000, 1000, 0.001);
    expect(mmc(20000, 1000, c).Wq).toBeLessThanOrEqual(0.001);
    expect(mmc(20000, 1000, c - 1).Wq).toBeGreaterThan(0.001);
    expect(workersForMeanWait(500, 1000, 1)).toBe(1);
  });

  it('the smallest c meeting a percentile target', () => {
    const c = workersForWaitPercentile(20000, 1000, 0.002, 0.01);
    expect(waitExceeds(20000, 1000, c, 0.002)).toBeLessThanOrEqual(0.01);
    expect(waitExceeds(20000, 1000, c - 1, 0.002)).toBeGreaterThan(0.01);
    expect(waitQuantile(20000, 1000, c, 0.99)).toBeLessThanOrEqual(0.002);
  });

  it('the smallest c meeting an Erlang B blocking target (a = 10 -> 18 for 1%)', () => {
    expect(workersForBlocking(10, 0.01)).toBe(18); // Erlang B tables: 10 Erlangs at 1% GoS need 18 lines
    expect(erlangB(18, 10)).toBeLessThanOrEqual(0.01);
    expect(erlangB(17, 10)).toBeGreaterThan(0.01);
  });

  it('more traffic never needs fewer workers', () => {
    let last = 0;
    for (let l = 1000; l <= 50000; l += 1000) {
      const c = workersForWaitPercentile(l, 1000, 0.005, 0.01);
      expect(c).toBeGreaterThanOrEqual(last);
      last = c;
    }
  });

  it('rejects unreachable or meaningless targets', () => {
    expect(() => workersForMeanWait(10, 1, 0)).toThrow(RangeError);
    expect(() => workersForWaitPercentile(10, 1, 1, 1)).toThrow(RangeError);
    expect(() => workersForBlocking(5, 0)).toThrow(RangeError);
  });
});

describe('M/M/c/K (bounded queue)', () => {
  it('K = c is Erlang B', () => {
    expect(mmck(10_000, 1000, 12, 12).blocking).toBeCloseTo(erlangB(12, 10), 12);
    expect(mmck(10_000, 1000, 12, 12).Lq).toBe(0);
  });

  it('c = 1 is the textbook M/M/1/K: (1−ρ)ρ^K / (1−ρ^{K+1})', () => {
    for (const [rho, K] of [[0.5, 3], [0.9, 10], [1.2, 6]]) {
      expect(mmck(rho * 1000, 1000, 1, K).blocking).toBeCloseTo(((1 - rho) * rho ** K) / (1 - rho ** (K + 1)), 12);
    }
  });

  it('a long queue tends to Erlang C', () => {
    const f = mmck(7000, 1000, 8, 8 + 2000);
    const m = mmc(7000, 1000, 8);
    expect(f.blocking).toBeLessThan(1e-12);
    expect(f.Lq).toBeCloseTo(m.Lq, 9);
    expect(f.Wq).toBeCloseTo(m.Wq, 12);
  });

  it('stays finite with many workers and overload; blocking falls as the queue grows', () => {
    const big = mmck(6000 * 1000, 1000, 5000, 5100);
    expect(big.blocking).toBeGreaterThan(0.15); // 20% over capacity: about 1/6 refused
    expect(big.blocking).toBeLessThan(0.2);
    let last = 1;
    for (let K = 8; K < 40; K++) {
      const b = mmck(7000, 1000, 8, K).blocking;
      expect(b).toBeLessThan(last);
      last = b;
    }
    expect(() => mmck(1, 1, 4, 3)).toThrow(RangeError);
  });
});
