// The workload's parts: the upload delay of an image, the mixes (the diurnal curve: diurnal.test.ts).
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world';
import { Population, uploadDelayUs } from '../../../src/sim/workload';

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
