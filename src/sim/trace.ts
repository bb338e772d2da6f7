/**
 * A running fingerprint of everything a run did, so two runs can be compared cheaply and, when they differ,
 * the first divergent event named (from kept events or from the JSON lines given to a sink).
 *
 * The fingerprint is 64-bit FNV-1a taken over 32-bit words instead of bytes (two 32-bit halves, exact
 * integer arithmetic). Each step is a bijection of the state for a given word, so changing any single
 * word always changes the result. Fields are tagged and strings length-prefixed, so 1 vs "1" and
 * ["ab","c"] vs ["a","bc"] differ.
 */

export interface TraceEvent {
  seq: number;
  t: number;
  kind: string;
  fields: (string | number)[];
}

export interface TraceOptions {
  /** Keep the FIRST `keep` events in memory for divergence reports (not a ring: the first divergence is what
   * matters, and a later window could not name it). 0 = none (default); Infinity = all. */
  keep?: number;
  /** Receives one JSON line per event: {"seq":1,"t":1200,"kind":"frame","fields":[...]} */
  sink?: (line: string) => void;
}

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// The 64-bit FNV prime is 2^40 + 0x1b3.
const PRIME_LO = 0x1b3;
const TWO32 = 4294967296;

const TAG_INT = 0x69;
const TAG_FLOAT = 0x66;
const TAG_STR = 0x73;

// Bit pattern of non-integer numbers (little-endian word order on every platform Node runs on).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export class Trace {
  private hi = OFFSET_HI;
  private lo = OFFSET_LO;
  private n = 0;
  private readonly keep: number;
  private readonly sink: ((line: string) => void) | undefined;
  private readonly kept: TraceEvent[] = [];

  constructor(opts: TraceOptions = {}) {
    const keep = opts.keep ?? 0;
    if (!(keep >= 0)) throw new RangeError(`keep must be >= 0, got ${keep}`);
    this.keep = keep;
    this.sink = opts.sink;
  }

  record(t: number, kind: string, ...fields: (string | number)[]): void {
    const seq = ++this.n;
    this.num(t);
    this.str(kind);
    this.word(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (typeof f === 'number') this.num(f);
      else this.str(f);
    }
    if (this.kept.length < this.keep) this.kept.push({ seq, t, kind, fields });
    if (this.sink !== undefined) this.sink(JSON.stringify({ seq, t, kind, fields }));
  }

  /** 16 lowercase hex characters. */
  fingerprint(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  get count(): number {
    return this.n;
  }

  /** The first `keep` events recorded. */
  get events(): readonly TraceEvent[] {
    return this.kept;
  }

  /**
   * Index of the first event that differs in t, kind or fields (seq is not compared, so windows taken
   * from the same position compare fine); when one list is a prefix of the other, the index is the
   * shorter length and one side is undefined. null when equal. Equal kept lists do not prove equal runs
   * if they were truncated: compare fingerprints too.
   */
  static firstDivergence(
    a: readonly TraceEvent[],
    b: readonly TraceEvent[],
  ): { index: number; a?: TraceEvent; b?: TraceEvent } | null {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!sameEvent(a[i], b[i])) return { index: i, a: a[i], b: b[i] };
    }
    if (a.length === b.length) return null;
    return { index: n, a: a[n], b: b[n] };
  }

  /** One FNV-1a step over a 32-bit word: h ^= w; h *= 2^40 + 0x1b3 (mod 2^64). */
  private word(w: number): void {
    const lo = (this.lo ^ w) >>> 0;
    const p = lo * PRIME_LO; // < 2^41: exact
    const nlo = p >>> 0;
    this.hi = (Math.imul(this.hi, PRIME_LO) + (p - nlo) / TWO32 + (lo << 8)) >>> 0;
    this.lo = nlo;
  }

  private num(x: number): void {
    if (Number.isSafeInteger(x)) {
      this.word(TAG_INT);
      this.word(x >>> 0);
      this.word(Math.floor(x / TWO32) | 0);
    } else {
      f64[0] = x;
      this.word(TAG_FLOAT);
      this.word(u32[0]);
      this.word(u32[1]);
    }
  }

  private str(s: string): void {
    const len = s.length;
    this.word(TAG_STR);
    this.word(len);
    // Two UTF-16 code units per word.
    let i = 0;
    for (; i + 1 < len; i += 2) this.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < len) this.word(s.charCodeAt(i));
  }
}

function sameValue(x: string | number, y: string | number): boolean {
  return x === y || (x !== x && y !== y); // NaN equals NaN here
}

function sameEvent(a: TraceEvent, b: TraceEvent): boolean {
  if (!sameValue(a.t, b.t) || a.kind !== b.kind) return false;
  const fa = a.fields;
  const fb = b.fields;
  if (fa.length !== fb.length) return false;
  for (let i = 0; i < fa.length; i++) if (!sameValue(fa[i], fb[i])) return false;
  return true;
}
