import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { makeRng } from '../../src/sim/rng';

const draw = (seed: string, n: number): number[] => {
  const r = makeRng(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('makeRng', () => {
  it('is alea: the same seed gives the same sequence', () => {
    expect(draw('a/net', 50)).toEqual(draw('a/net', 50));
    const ref = seedrandom.alea('a/net');
    expect(draw('a/net', 5)).toEqual([ref(), ref(), ref(), ref(), ref()]);
  });

  it('different seeds or stream names give different sequences', () => {
    expect(draw('a/net', 10)).not.toEqual(draw('b/net', 10));
    expect(draw('a/net', 10)).not.toEqual(draw('a/disk', 10));
  });

  it('next is in [0, 1)', () => {
    const r = makeRng('unit');
    let bad = 0;
    for (let i = 0; i < 10000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) bad++;
    }
    expect(bad).toBe(0);
  });

  it('int stays in [lo, hi], hits both ends, and handles ranges beyond 2^32', () => {
    const r = makeRng('int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.int(-3, 3);
      expect(Number.isInteger(x) && x >= -3 && x <= 3).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
    expect(r.int(5, 5)).toBe(5);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(0, 2 ** 40);
      expect(Number.isInteger(x) && x >= 0 && x <= 2 ** 40).toBe(true);
    }
    expect(() => r.int(3, 2)).toThrow(RangeError);
    expect(() => r.int(0.5, 2)).toThrow(RangeError);
    expect(() => r.int(0, NaN)).toThrow(RangeError);
  });

  it('uniform stays in [lo, hi)', () => {
    const r = makeRng('uniform');
    for (let i = 0; i < 1000; i++) {
      const x = r.uniform(10, 20);
      expect(x >= 10 && x < 20).toBe(true);
    }
  });

  it('exp has roughly the asked mean and is never negative', () => {
    const r = makeRng('exp');
    const n = 100_000;
    let sum = 0;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const x = r.exp(250);
      min = Math.min(min, x);
      sum += x;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(sum / n).toBeGreaterThan(250 * 0.97);
    expect(sum / n).toBeLessThan(250 * 1.03);
    expect(r.exp(0)).toBe(0);
    expect(() => r.exp(-1)).toThrow(RangeError);
  });

  it('normal has roughly the asked mean and sd', () => {
    const r = makeRng('normal');
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal(5, 2);
      sum += x;
      sq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    expect(Math.abs(mean - 5)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
  });

  it('chance respects 0, 1 and p', () => {
    const r = makeRng('chance');
    let hits = 0;
    for (let i = 0; i < 20000; i++) {
      expect(r.chance(0)).toBe(false);
      expect(r.chance(1)).toBe(true);
      if (r.chance(0.3)) hits++;
    }
    expect(hits / 20000).toBeGreaterThan(0.28);
    expect(hits / 20000).toBeLessThan(0.32);
  });

  it('pick reaches every element and refuses an empty list', () => {
    const r = makeRng('pick');
    const items = ['a', 'b', 'c', 'd'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
