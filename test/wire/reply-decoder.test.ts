import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  NEED_MORE,
  ProtocolError,
  Push,
  Reply,
  ReplyDecoder,
  ReplyError,
  RespMap,
  SimpleString,
  encodeReply,
} from '../../src/wire';
import { SPLIT_RUNS, byteByByte, bytes, cutPoints, splitAt } from './chunks';

interface Fixture {
  name: string;
  input: string | Buffer;
  replies: Reply[];
  bad?: boolean; // ends with a BAD_REPLY error
}

const FIXTURES: Fixture[] = [
  { name: 'simple string', input: '+OK\r\n', replies: ['OK'] },
  { name: 'error', input: '-ERR bad thing\r\n', replies: [new ReplyError('ERR bad thing')] },
  { name: 'integers', input: ':42\r\n:-7\r\n:0\r\n', replies: [42, -7, 0] },
  { name: 'big integer loses precision but stays a number', input: ':9007199254740993\r\n', replies: [9007199254740992] },
  { name: 'bulk', input: '$5\r\nhello\r\n', replies: ['hello'] },
  { name: 'empty bulk', input: '$0\r\n\r\n', replies: [''] },
  { name: 'bulk with CRLF inside', input: '$4\r\na\r\nb\r\n', replies: ['a\r\nb'] },
  { name: 'UTF-8 bulk', input: Buffer.from('$3\r\n你\r\n'), replies: ['你'] },
  { name: 'null bulk and null array', input: '$-1\r\n*-1\r\n', replies: [null, null] },
  { name: 'empty array', input: '*0\r\n', replies: [[]] },
  { name: 'array', input: '*3\r\n$1\r\na\r\n:1\r\n$-1\r\n', replies: [['a', 1, null]] },
  { name: 'nested arrays', input: '*2\r\n*1\r\n+x\r\n*0\r\n+after\r\n', replies: [[['x'], []], 'after'] },
  { name: 'deep nesting', input: '*1\r\n'.repeat(500) + ':1\r\n', replies: [JSON.parse('['.repeat(500) + '1' + ']'.repeat(500))] },
  { name: 'RESP3 null', input: '_\r\n', replies: [null] },
  { name: 'RESP3 booleans', input: '#t\r\n#f\r\n', replies: [true, false] },
  { name: 'RESP3 doubles', input: ',1.5\r\n,-2\r\n,1e+21\r\n,.5\r\n', replies: [1.5, -2, 1e21, 0.5] },
  { name: 'RESP3 special doubles', input: ',inf\r\n,-inf\r\n,nan\r\n', replies: [Infinity, -Infinity, NaN] },
  { name: 'RESP3 big number', input: '(3492890328409238509324850943850943825024385\r\n', replies: ['3492890328409238509324850943850943825024385'] },
  { name: 'RESP3 verbatim string', input: '=15\r\ntxt:Some string\r\n', replies: ['Some string'] },
  { name: 'RESP3 set', input: '~2\r\n+a\r\n+b\r\n', replies: [['a', 'b']] },
  {
    name: 'RESP3 map',
    input: '%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n:2\r\n',
    replies: [new RespMap([['first', 1], ['second', [2]]])],
  },
  { name: 'RESP3 empty map and push', input: '%0\r\n>0\r\n', replies: [new RespMap([]), new Push([])] },
  { name: 'RESP3 push', input: '>3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n', replies: [new Push(['message', 'chan', 'hello'])] },
  {
    name: 'RESP3 attribute is dropped',
    input: '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n',
    replies: [[2039123, 9543892]],
  },
  { name: 'RESP3 attribute inside an array', input: '*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n', replies: [[1, 2]] },
  { name: 'RESP3 empty attribute', input: '|0\r\n:5\r\n', replies: [5] },
  { name: 'RESP3 blob error', input: '!21\r\nSYNTAX invalid syntax\r\n', replies: [new ReplyError('SYNTAX invalid syntax')] },
  { name: 'replies before a bad one are returned', input: '+a\r\n:1\r\n?\r\n', replies: ['a', 1], bad: true },
  { name: 'unknown type byte', input: 'x', replies: [], bad: true },
  { name: 'CR without LF', input: '+a\rb\r\n', replies: [], bad: true },
  { name: 'bad integer', input: ':12a\r\n', replies: [], bad: true },
  { name: 'empty integer', input: ':\r\n', replies: [], bad: true },
  { name: 'payload without CRLF', input: '$3\r\nabcde\r\n', replies: [], bad: true },
  { name: 'negative bulk length other than -1', input: '$-2\r\n', replies: [], bad: true },
  { name: 'negative count other than -1', input: '*-2\r\n', replies: [], bad: true },
  { name: 'null set', input: '~-1\r\n', replies: [], bad: true },
  { name: 'bad boolean', input: '#x\r\n', replies: [], bad: true },
  { name: 'bad double', input: ',1.2.3\r\n', replies: [], bad: true },
  { name: 'verbatim without format', input: '=3\r\ntxt\r\n', replies: [], bad: true },
  { name: 'null with payload', input: '_x\r\n', replies: [], bad: true },
  { name: 'bad big number', input: '(1.5\r\n', replies: [], bad: true },
  { name: 'bad item inside an array', input: '*2\r\n:1\r\n:x\r\n', replies: [], bad: true },
  { name: 'incomplete waits', input: '*2\r\n$5\r\nhel', replies: [] },
];

interface Outcome {
  replies: Reply[];
  error?: ProtocolError;
}

function decode(chunks: Uint8Array[]): Outcome {
  const d = new ReplyDecoder();
  const replies: Reply[] = [];
  try {
    for (const c of chunks) {
      d.push(c);
      for (let r = d.next(); r !== NEED_MORE; r = d.next()) replies.push(r);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    expect(() => d.next()).toThrow(e);
    return { replies, error: e };
  }
  return { replies };
}

function check(f: Fixture, out: Outcome): void {
  expect(out.replies).toStrictEqual(f.replies);
  if (f.bad) {
    expect(out.error?.code).toBe('BAD_REPLY');
    expect(out.error?.reply).toBe('ERR Protocol error: bad reply');
  } else {
    expect(out.error).toBeUndefined();
  }
}

describe('ReplyDecoder fixtures', () => {
  for (const f of FIXTURES) {
    describe(f.name, () => {
      const buf = bytes(f.input);
      it('whole', () => check(f, decode([buf])));
      it('byte by byte', () => check(f, decode(byteByByte(buf))));
      it('random splits', () => {
        fc.assert(fc.property(cutPoints(buf.length), (p) => check(f, decode(splitAt(buf, p)))), SPLIT_RUNS);
      });
    });
  }

  it('holds nothing once drained', () => {
    const d = new ReplyDecoder();
    d.push(Buffer.from('+OK\r\n+O'));
    expect(d.next()).toBe('OK');
    expect(d.next()).toBe(NEED_MORE);
    expect(d.buffered).toBe(2);
    d.push(Buffer.from('K\r\n'));
    expect(d.next()).toBe('OK');
    expect(d.next()).toBe(NEED_MORE);
    expect(d.buffered).toBe(0);
  });

  it('is linear on a big bulk fed in small chunks', () => {
    const payload = 'p'.repeat(4 * 1024 * 1024);
    const all = encodeReply([payload, 1]);
    const d = new ReplyDecoder();
    let early = 0;
    for (let i = 0; i < all.length; i += 64) {
      d.push(all.subarray(i, i + 64));
      if (i + 64 < all.length && d.next() !== NEED_MORE) early++;
    }
    expect(early).toBe(0);
    expect(d.next()).toEqual([payload, 1]);
    expect(d.work).toBeLessThan(6 * all.length); // bytes copied or searched: linear, not quadratic
  });

  it('is linear on a long line fed byte by byte', () => {
    const all = Buffer.from(`+${'x'.repeat(300_000)}\r\n`);
    const d = new ReplyDecoder();
    let early = 0;
    for (let i = 0; i < all.length - 1; i++) {
      d.push(all.subarray(i, i + 1));
      if (d.next() !== NEED_MORE) early++;
    }
    expect(early).toBe(0);
    d.push(all.subarray(all.length - 1));
    expect(d.next()).toHaveLength(300_000);
    expect(d.work).toBeLessThan(6 * all.length);
  });
});

// ---- Round trip: encodeReply -> ReplyDecoder ----

const INT64 = 2 ** 63;
const sanitize = (s: string) => s.replace(/[\r\n]/g, ' ');

/** What decoding the encoding of r gives back: SimpleString -> string, RESP2 loses push/map/boolean/double types. */
function expected(r: Reply, resp3: boolean): Reply {
  if (typeof r === 'number') {
    if (Number.isInteger(r) && r >= -INT64 && r < INT64) return r === 0 ? 0 : r;
    if (resp3) return r;
    return r !== r ? 'nan' : r === Infinity ? 'inf' : r === -Infinity ? '-inf' : String(r);
  }
  if (typeof r === 'boolean') return resp3 ? r : r ? 1 : 0;
  if (typeof r === 'string' || r === null) return r;
  if (Array.isArray(r)) return r.map((x) => expected(x, resp3));
  if (r instanceof SimpleString) return sanitize(r.value);
  if (r instanceof ReplyError) return new ReplyError(sanitize(r.message));
  if (r instanceof Push) {
    const items = r.items.map((x) => expected(x, resp3));
    return resp3 ? new Push(items) : items;
  }
  const entries = r.entries.map(([k, v]) => [expected(k, resp3), expected(v, resp3)] as [Reply, Reply]);
  return resp3 ? new RespMap(entries) : entries.flat();
}

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', '\r\n', 'a\rb', '$-1\r\n'));
const leaf: fc.Arbitrary<Reply> = fc.oneof(
  text,
  text.map((s) => new SimpleString(s)),
  text.map((s) => new ReplyError(s)),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(Number),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
);
const { reply } = fc.letrec<{ reply: Reply }>((tie) => ({
  reply: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('reply'), { maxLength: 5 }),
    fc.array(tie('reply'), { maxLength: 4 }).map((items) => new Push(items)),
    fc.array(fc.tuple(tie('reply'), tie('reply')), { maxLength: 3 }).map((e) => new RespMap(e)),
  ),
}));

describe('ReplyDecoder properties', () => {
  for (const resp3 of [false, true]) {
    it(`decodes what encodeReply encodes (${resp3 ? 'RESP3' : 'RESP2'}), however the stream is cut`, () => {
      fc.assert(
        fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (rs, points) => {
          const all = Buffer.concat(rs.map((r) => Buffer.from(encodeReply(r, resp3))));
          const out = decode(splitAt(all, points.map((p) => p % (all.length + 1))));
          expect(out.error).toBeUndefined();
          expect(out.replies).toStrictEqual(rs.map((r) => expected(r, resp3)));
        }),
        { seed: 3, numRuns: 400 },
      );
    });
  }

  it('turns random bytes into replies or one ProtocolError, the same whole and cut', () => {
    const token = fc.oneof(
      fc.constantFrom('*', '$', '%', '|', '>', '~', '+', ':', ',', '#', '_', '=', '!', '(', '\r\n', '\r', '1', '2', '-1', 't', 'x'),
      fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u).toString('latin1')),
    );
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 50 }).map((t) => Buffer.from(t.join(''), 'latin1')),
        fc.array(fc.nat({ max: 200 }), { maxLength: 8 }),
        (buf, points) => {
          const whole = decode([buf]);
          for (const o of [decode(byteByByte(buf)), decode(splitAt(buf, points))]) {
            expect(o.replies).toStrictEqual(whole.replies);
            expect(o.error?.code).toBe(whole.error?.code);
          }
        },
      ),
      { seed: 5, numRuns: 2000 },
    );
  });
});
