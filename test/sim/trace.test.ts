import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Trace, type TraceEvent } from '../../src/sim/trace';

/** 64-bit FNV-1a over 32-bit words, with BigInt: the reference for the two-halves arithmetic. */
function fnvWords(words: number[]): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (const w of words) h = ((h ^ BigInt(w >>> 0)) * prime) & mask;
  return h.toString(16).padStart(16, '0');
}

const fp = (build: (t: Trace) => void): string => {
  const t = new Trace();
  build(t);
  return t.fingerprint();
};

describe('Trace fingerprint', () => {
  it('starts at the FNV-1a offset basis', () => {
    expect(new Trace().fingerprint()).toBe('cbf29ce484222325');
  });

  it('is 64-bit FNV-1a over the tagged words of each record', () => {
    const I = 0x69;
    const S = 0x73;
    const ab = 'a'.charCodeAt(0) | ('b'.charCodeAt(0) << 16);
    const big = 2 ** 40 + 7;
    const words = [I, 5, 0, S, 2, ab, 2, I, big >>> 0, 2 ** 8, S, 1, 'x'.charCodeAt(0)];
    expect(fp((t) => t.record(5, 'ab', big, 'x'))).toBe(fnvWords(words));
  });

  it('matches the BigInt reference on arbitrary integers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 20 }), (xs) => {
        const words = [0x69, 0, 0, 0x73, 1, 'k'.charCodeAt(0), xs.length];
        for (const x of xs) words.push(0x69, x, 0);
        expect(fp((t) => t.record(0, 'k', ...xs))).toBe(fnvWords(words));
      }),
    );
  });

  it('differs for any change of time, kind, field, type or split', () => {
    const base = fp((t) => t.record(1, 'frame', 'ab', 'c', 1));
    expect(fp((t) => t.record(1, 'frame', 'ab', 'c', 1))).toBe(base);
    const others = [
      fp((t) => t.record(2, 'frame', 'ab', 'c', 1)),
      fp((t) => t.record(1, 'framf', 'ab', 'c', 1)),
      fp((t) => t.record(1, 'frame', 'a', 'bc', 1)),
      fp((t) => t.record(1, 'frame', 'ab', 'c', '1')),
      fp((t) => t.record(1, 'frame', 'ab', 'c', 1.5)),
      fp((t) => t.record(1, 'frame', 'ab', 'c')),
      fp((t) => {
        t.record(1, 'frame', 'ab');
        t.record(1, 'c', 1);
      }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('counts records', () => {
    const t = new Trace();
    t.record(0, 'a');
    t.record(3, 'b', 1, 2);
    expect(t.count).toBe(2);
  });
});

describe('Trace events and sink', () => {
  it('keeps the first N events only, none by default', () => {
    const none = new Trace();
    none.record(0, 'x');
    expect(none.events).toEqual([]);
    const t = new Trace({ keep: 2 });
    t.record(0, 'a', 1);
    t.record(5, 'b', 'z');
    t.record(9, 'c');
    expect(t.events).toEqual([
      { seq: 1, t: 0, kind: 'a', fields: [1] },
      { seq: 2, t: 5, kind: 'b', fields: ['z'] },
    ]);
    expect(t.count).toBe(3);
    expect(() => new Trace({ keep: -1 })).toThrow(RangeError);
  });

  it('sends one JSON line per event to the sink', () => {
    const lines: string[] = [];
    const t = new Trace({ sink: (l) => lines.push(l) });
    t.record(1200, 'frame', 'msg-send', 7);
    t.record(1300, 'close');
    expect(lines).toEqual([
      '{"seq":1,"t":1200,"kind":"frame","fields":["msg-send",7]}',
      '{"seq":2,"t":1300,"kind":"close","fields":[]}',
    ]);
    expect(JSON.parse(lines[0])).toEqual({ seq: 1, t: 1200, kind: 'frame', fields: ['msg-send', 7] });
  });
});

describe('Trace.firstDivergence', () => {
  const ev = (seq: number, t: number, kind: string, ...fields: (string | number)[]): TraceEvent => ({
    seq,
    t,
    kind,
    fields,
  });

  it('returns null for equal lists', () => {
    expect(Trace.firstDivergence([], [])).toBeNull();
    expect(Trace.firstDivergence([ev(1, 0, 'a', 1)], [ev(1, 0, 'a', 1)])).toBeNull();
  });

  it('names the first event that differs in t, kind or fields', () => {
    const a = [ev(1, 0, 'a'), ev(2, 5, 'b', 1), ev(3, 6, 'c')];
    expect(Trace.firstDivergence(a, [ev(1, 0, 'a'), ev(2, 5, 'b', 2), ev(3, 7, 'c')])).toEqual({
      index: 1,
      a: a[1],
      b: ev(2, 5, 'b', 2),
    });
    expect(Trace.firstDivergence(a, [ev(1, 1, 'a')])?.index).toBe(0);
    expect(Trace.firstDivergence(a, [ev(1, 0, 'x')])?.index).toBe(0);
    expect(Trace.firstDivergence(a, [ev(1, 0, 'a'), ev(2, 5, 'b', 1, 2)])?.index).toBe(1);
    expect(Trace.firstDivergence(a, [ev(1, 0, 'a'), ev(2, 5, 'b', '1')])?.index).toBe(1);
  });

  it('reports a prefix at the shorter length with one side missing', () => {
    const a = [ev(1, 0, 'a'), ev(2, 5, 'b')];
    expect(Trace.firstDivergence(a, a.slice(0, 1))).toEqual({ index: 1, a: a[1], b: undefined });
    expect(Trace.firstDivergence([], a)).toEqual({ index: 0, a: undefined, b: a[0] });
  });

  it('finds where two recorded runs part', () => {
    const run = (flip: number): Trace => {
      const t = new Trace({ keep: 100 });
      for (let i = 0; i < 50; i++) t.record(i * 10, 'tick', i === flip ? -1 : i);
      return t;
    };
    const a = run(-1);
    const b = run(17);
    expect(a.fingerprint()).not.toBe(b.fingerprint());
    const d = Trace.firstDivergence(a.events, b.events);
    expect(d?.index).toBe(17);
    expect(d?.a?.fields).toEqual([17]);
    expect(d?.b?.fields).toEqual([-1]);
  });
});
