// Chart helper for long per-second series (the connection layer's, the monitor's): fewer points to draw.

/** A series as chart points: [t, value] averaged over buckets of `every` seconds (rates stay per second). */
export function bucketed(t: readonly number[], ys: readonly number[], every: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < t.length; i += every) {
    let sum = 0;
    const end = Math.min(t.length, i + every);
    for (let j = i; j < end; j++) sum += ys[j];
    out.push({ x: t[end - 1], y: sum / (end - i) });
  }
  return out;
}
