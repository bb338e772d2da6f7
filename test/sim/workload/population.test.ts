// The workload's parts: the diurnal curve and its arrivals, the upload delay of an image, the mixes.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../../src/sim/rng';
import { World } from '../../../src/sim/world';
import { DAY_US, IM_HOURLY, Population, diurnalCurve, nextArrival, uploadDelayUs } from '../../../src/sim/workload';

const HOUR = 3_600_000_000;

describe('diurnal curve', () => {
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
});

describe('population', () => {
  it('uploads take connect + request round trips and the bytes at the uplink rate', () => {
    // 3g: 330 kbit/s up, 100 ms each way -> 2 RTT = 400 ms, 150 kB = 1.2 Mbit / 330 kbit/s = 3636 ms, +20 ms server
    expect(uploadDelayUs('3g', 150_000)).toBe(Math.round((400 + 150_000 * 8 / 330 + 20) * 1000));
    expect(uploadDelayUs('wifi', 150_000)).toBeLessThan(uploadDelayUs('edge', 150_000) / 10);
  });

  it('draws platforms and networks from their mixes, deterministically', () => {
    const make = () => new Population(new World({ protocol: 'versioned', seed: 9 }), { users: 2000, platforms: { ios: 3, wp: 1 }, networks: { wifi: 1 } });
    const p = make();
    const ios = p.users.filter((u) => u.platform === 'ios').length;
    expect(ios + p.users.filter((u) => u.platform === 'wp').length).toBe(2000);
    expect(Math.abs(ios / 2000 - 0.75)).toBeLessThan(0.04);
    expect(p.users.every((u) => u.network === 'wifi')).toBe(true);
    expect(make().users).toEqual(p.users);
  });

  it('says what is wrong with its options', () => {
    const w = new World({ protocol: 'queue' });
    expect(() => new Population(w, { users: 1 })).toThrow(/at least 2 users/);
    expect(() => new Population(w, { users: 5, imageShare: 2 })).toThrow(/imageShare/);
  });
});
