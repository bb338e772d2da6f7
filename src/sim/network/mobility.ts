// What happens to a moving phone's link over time, as named patterns that schedule events on a
// device link: outages (elevator, tunnel), handovers (Wi-Fi <-> cellular, cell changes on a
// high-speed train), and connection failures (resets, half-open cuts). Intervals and durations are
// drawn from the link's seeded stream, so a pattern is reproducible from the seed.
import type { Rng } from '../rng';
import type { DeviceLink } from './device-link';

export interface MobilityPattern {
  about: string;
  start(link: DeviceLink, rng: Rng): void;
}

const S = 1_000_000;

/** Repeats `fire` after exponential gaps of mean `everyS` seconds. */
function every(link: DeviceLink, rng: Rng, everyS: number, fire: () => void): void {
  const next = () => link.kernel.schedule(Math.max(1, Math.round(rng.exp(everyS * S))), () => {
    fire();
    next();
  });
  next();
}

/** Outages of uniform [minS, maxS] seconds, every `everyS` seconds on average. */
function outages(everyS: number, minS: number, maxS: number): MobilityPattern['start'] {
  return (link, rng) =>
    every(link, rng, everyS, () => {
      if (link.outage) return;
      link.outage = true;
      link.kernel.schedule(Math.round(rng.uniform(minS, maxS) * S), () => (link.outage = false));
    });
}

export const PATTERNS: Record<string, MobilityPattern> = {
  still: { about: 'nothing happens to the link', start: () => {} },
  elevator: { about: 'an outage of 20-60 s every 10 min on average (elevator, underground car park)', start: outages(600, 20, 60) },
  tunnel: { about: 'an outage of 30-120 s every 4 min on average (subway, tunnels)', start: outages(240, 30, 120) },
  train: {
    about: 'high-speed train: a handover every 90 s on average, short outages of 5-15 s every 5 min',
    start: (link, rng) => {
      every(link, rng, 90, () => link.handover());
      outages(300, 5, 15)(link, rng);
    },
  },
  resets: { about: 'connection resets (both ends learn) every 2 min on average', start: (link, rng) => every(link, rng, 120, () => link.resetAll()) },
  'half-open': { about: 'half-open cuts (nobody is told) every 5 min on average', start: (link, rng) => every(link, rng, 300, () => link.cutAll()) },
};

export function startPatterns(names: readonly string[], link: DeviceLink, rng: Rng): void {
  for (const n of names) {
    const p = PATTERNS[n];
    if (!p) throw new Error(`unknown mobility pattern '${n}'; known: ${Object.keys(PATTERNS).join(', ')}`);
    p.start(link, rng);
  }
}
