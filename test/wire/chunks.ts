// Ways to cut one byte stream into chunks: every codec fixture must give the same result under each.
import fc from 'fast-check';

export function bytes(input: string | Buffer): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
}

export function byteByByte(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
  return out;
}

/** Cut at the given offsets (any order, duplicates and out-of-range values allowed). */
export function splitAt(buf: Buffer, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => Math.min(Math.max(0, p), buf.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    // Alternate Buffer and plain Uint8Array: push() takes both.
    const part = buf.subarray(prev, c);
    out.push(out.length % 2 === 0 ? part : new Uint8Array(part));
    prev = c;
  }
  return out;
}

/** Random cut points for a stream of `length` bytes. */
export function cutPoints(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: Math.max(0, length) }), { maxLength: 12 });
}

/** Seeded, so a failure replays the same way. */
export const SPLIT_RUNS = { seed: 20240611, numRuns: 25 } as const;
