// The one diurnal curve: the workload's message rates and the connection layer's online users both follow it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../../src/sim/rng';
import { DAY_US, IM_HOURLY, diurnalCurve, nextArrival, nextTimeOfDay, timeOfDay } from '../../../src/sim/workload';

const HOUR = 3_600_000_000;

describe('diurnalCurve', () => {
  it('has mean 1 over a day, its peak in the evening and its trough before dawn', () => {
    const c = diurnalCurve();
    let sum = 0;
    const n = 24 * 60;
    for (let i = 0; i < n; i++) sum += c.at((i * DAY_US) / n);
    expect(sum / n).toBeCloseTo(1, 6);
    expect(c.hourly.indexOf(c.peak)).toBe(IM_HOURLY.indexOf(Math.max(...IM_HOURLY)));
    expect(c.at(4 * HOUR)).toBeLessThan(0.25);
    expect(c.at(DAY_US + 21 * HOUR)).toBe(c.at(21 * HOUR)); // every day alike
    expect(diurnalCurve('flat').at(123_456_789)).toBe(1);
  });

  it('refuses a curve that is not 24 non-negative weights', () => {
    expect(() => diurnalCurve([1, 2, 3])).toThrow(/24 hourly weights/);
    expect(() => diurnalCurve(new Array(24).fill(0))).toThrow(/some activity/);
  });

  it('arrivals follow the curve: per hour, counts near rate × curve', () => {
    const c = diurnalCurve();
    const rng = makeRng('arrivals');
    const perUs = 2000 / DAY_US * 24; // 2000 per hour on average
    const counts = new Array(24).fill(0);
    for (let t = nextArrival(rng, 0, perUs, c); t < 20 * DAY_US; t = nextArrival(rng, t, perUs, c)) counts[Math.floor((t % DAY_US) / HOUR)]++;
    for (let h = 0; h < 24; h++) {
      const expected = 20 * 2000 * (c.at(h * HOUR) + c.at((h + 1) * HOUR)) / 2; // linear within the hour
      expect(Math.abs(counts[h] - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });

  const c = diurnalCurve();
  it('relative() is the share of the peak hour; the trough is before dawn', () => {
    expect(c.troughUs).toBe(4 * HOUR);
    expect(c.relative(21 * HOUR)).toBe(1);
    expect(c.relative(4 * HOUR)).toBeCloseTo(0.2 / 1.7, 12);
  });
  it('only the shape of the weights matters', () => {
    const scaled = diurnalCurve(IM_HOURLY.map((w) => w * 7));
    for (let h = 0; h < 24; h += 0.5) expect(scaled.relative(h * HOUR)).toBeCloseTo(c.relative(h * HOUR), 12);
  });
  it('wraps by the day, both ways', () => {
    expect(c.at(3 * HOUR + 2 * DAY_US)).toBeCloseTo(c.at(3 * HOUR), 12);
    expect(c.at(-HOUR)).toBeCloseTo(c.at(23 * HOUR), 12);
    expect(timeOfDay(-1)).toBe(DAY_US - 1);
  });
});

describe('nextTimeOfDay', () => {
  it('is the first time at or after `from` whose clock reads the asked time of day', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 * DAY_US }), fc.integer({ min: 0, max: DAY_US - 1 }), fc.integer({ min: 0, max: DAY_US - 1 }),
      (from, start, clock) => {
        const t = nextTimeOfDay(from, start, clock);
        expect(t).toBeGreaterThanOrEqual(from);
        expect(t - from).toBeLessThan(DAY_US);
        expect(timeOfDay(start + t)).toBe(clock);
      }));
  });
});
