// Named mobile link profiles. Numbers come from tools that emulate real networks; each entry
// names its source. Delays are one-way, per direction. Bandwidth 0 means "not a bottleneck".
//  - NLC: Apple Network Link Conditioner presets (Xcode Additional Tools).
//  - ATC: Facebook Augmented Traffic Control profiles (github.com/facebook/augmented-traffic-control).
//  - Radio tails: Qian et al., "Characterizing Radio Resource Allocation for 3G Networks", IMC 2010
//    (DCH->FACH 5 s, FACH->IDLE 12 s); Huang et al., "A Close Examination of Performance and Power
//    Characteristics of 4G LTE Networks", MobiSys 2012 (LTE tail ~11.6 s).

export interface LinkProfile {
  name: string;
  downKbps: number; // server -> device; 0 = unlimited
  upKbps: number; // device -> server; 0 = unlimited
  downDelayMs: number; // one-way propagation
  upDelayMs: number;
  jitterMs: number; // extra uniform [0, jitter) per segment
  loss: number; // probability a segment transmission is lost (TCP retransmits it)
  /** Gilbert-Elliott bursts: mean good/bad period lengths and the loss rate while bad. */
  bursts?: { goodMs: number; badMs: number; badLoss: number };
  /** Radio stays in a high-power state this long after the last packet (a later packet wakes it). */
  radioTailMs: number;
  source: string;
}

const p = (x: LinkProfile): LinkProfile => x;

export const PROFILES: Record<string, LinkProfile> = {
  // The walking skeleton's link: 20 ms each way, a little jitter, nothing else.
  fixed: p({ name: 'fixed', downKbps: 0, upKbps: 0, downDelayMs: 20, upDelayMs: 20, jitterMs: 5, loss: 0, radioTailMs: 0, source: 'imsim default: a plain, fast link' }),
  wifi: p({ name: 'wifi', downKbps: 40_000, upKbps: 33_000, downDelayMs: 1, upDelayMs: 1, jitterMs: 1, loss: 0, radioTailMs: 200, source: 'NLC Wi-Fi; Wi-Fi power-save tail ~200 ms' }),
  lte: p({ name: 'lte', downKbps: 50_000, upKbps: 10_000, downDelayMs: 50, upDelayMs: 65, jitterMs: 5, loss: 0, radioTailMs: 11_600, source: 'NLC LTE; tail Huang et al. 2012' }),
  '3g': p({ name: '3g', downKbps: 780, upKbps: 330, downDelayMs: 100, upDelayMs: 100, jitterMs: 10, loss: 0, radioTailMs: 17_000, source: 'NLC 3G, ATC 3G-Average; tail Qian et al. 2010' }),
  edge: p({ name: 'edge', downKbps: 240, upKbps: 200, downDelayMs: 400, upDelayMs: 440, jitterMs: 20, loss: 0, radioTailMs: 5_000, source: 'NLC Edge, ATC Edge-Average' }),
  'edge-lossy': p({ name: 'edge-lossy', downKbps: 240, upKbps: 200, downDelayMs: 400, upDelayMs: 440, jitterMs: 20, loss: 0.01, radioTailMs: 5_000, source: 'ATC Edge-Lossy' }),
  '2g-rural': p({ name: '2g-rural', downKbps: 20, upKbps: 18, downDelayMs: 650, upDelayMs: 650, jitterMs: 50, loss: 0.02, radioTailMs: 5_000, source: 'ATC 2G-DevelopingRural' }),
  'very-bad': p({ name: 'very-bad', downKbps: 1000, upKbps: 1000, downDelayMs: 500, upDelayMs: 500, jitterMs: 50, loss: 0.1, radioTailMs: 5_000, source: 'NLC Very Bad Network' }),
  blackhole: p({ name: 'blackhole', downKbps: 0, upKbps: 0, downDelayMs: 100, upDelayMs: 100, jitterMs: 0, loss: 1, radioTailMs: 5_000, source: 'NLC 100% Loss' }),
};

/** The profiles a comparison sweeps by default (all but the fixed test link and the blackhole). */
export const MOBILE_PROFILES = ['wifi', 'lte', '3g', 'edge', 'edge-lossy', '2g-rural', 'very-bad'] as const;

/** A profile by name, or a user-defined one (an object, e.g. parsed from a JSON file) checked field by field. */
export function resolveProfile(spec: string | Partial<LinkProfile>): LinkProfile {
  if (typeof spec === 'string') {
    const found = PROFILES[spec];
    if (!found) throw new Error(`unknown link profile '${spec}'; known: ${Object.keys(PROFILES).join(', ')} (or pass a JSON file)`);
    return found;
  }
  const base = spec.name && PROFILES[spec.name] ? PROFILES[spec.name] : PROFILES.fixed;
  const merged: LinkProfile = { ...base, ...spec, name: spec.name ?? 'custom', source: spec.source ?? 'user-defined' };
  for (const k of ['downKbps', 'upKbps', 'downDelayMs', 'upDelayMs', 'jitterMs', 'radioTailMs'] as const) {
    if (!(Number.isFinite(merged[k]) && merged[k] >= 0)) throw new Error(`profile '${merged.name}': ${k} must be a number >= 0, got ${merged[k]}`);
  }
  if (!(merged.loss >= 0 && merged.loss <= 1)) throw new Error(`profile '${merged.name}': loss must be within [0, 1], got ${merged.loss}`);
  return merged;
}
