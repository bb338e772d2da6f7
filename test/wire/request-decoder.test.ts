import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_REQUEST_LIMITS,
  ProtocolError,
  RequestDecoder,
  RequestLimits,
  encodeCommand,
  protocolError,
} from '../../src/wire';
import { REQUEST_FIXTURES, RequestFixture } from './fixtures';
import { SPLIT_RUNS, byteByByte, bytes, cutPoints, splitAt } from './chunks';

interface Outcome {
  commands: string[][];
  error?: ProtocolError;
}

/** Push each chunk and drain the decoder after it, as a server does after each read. */
function decode(chunks: Uint8Array[], limits?: Partial<RequestLimits>, auth = true): Outcome {
  const d = new RequestDecoder(limits);
  d.authenticated = auth;
  const commands: string[][] = [];
  try {
    for (const c of chunks) {
      d.push(c);
      for (let cmd = d.next(); cmd !== null; cmd = d.next()) commands.push(cmd);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    // Dead from now on: the same error again, bytes ignored.
    expect(() => d.next()).toThrow(e);
    d.push(Buffer.from('PING\r\n'));
    expect(() => d.next()).toThrow(e);
    expect(d.buffered).toBe(0);
    return { commands, error: e };
  }
  return { commands };
}

function check(f: RequestFixture, out: Outcome): void {
  expect(out.commands).toEqual(f.commands);
  if (f.error) {
    expect(out.error).toBeInstanceOf(ProtocolError);
    expect(out.error?.code).toBe(f.error.code);
    expect(out.error?.reply).toBe(f.error.reply);
  } else {
    expect(out.error).toBeUndefined();
  }
}

describe('RequestDecoder fixtures', () => {
  for (const f of REQUEST_FIXTURES) {
    describe(f.name, () => {
      const buf = bytes(f.input);
      it('whole', () => check(f, decode([buf], f.limits, f.auth ?? true)));
      it('byte by byte', () => check(f, decode(byteByByte(buf), f.limits, f.auth ?? true)));
      it('random splits', () => {
        fc.assert(
          fc.property(cutPoints(buf.length), (points) => check(f, decode(splitAt(buf, points), f.limits, f.auth ?? true))),
          SPLIT_RUNS,
        );
      });
    });
  }
});

describe('RequestDecoder', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_REQUEST_LIMITS).toEqual({
      maxBulkBytes: 1024 * 1024,
      maxInlineBytes: 64 * 1024,
      maxArgs: 1024 * 1024,
      preAuthMaxArgs: 10,
      preAuthMaxBulkBytes: 16384,
    });
    expect(new RequestDecoder().authenticated).toBe(false);
    expect(() => new RequestDecoder({ maxBulkBytes: -1 })).toThrow(RangeError);
    expect(() => new RequestDecoder({ maxArgs: NaN })).toThrow(RangeError);
  });

  it('applies the post-auth limits from the command after login, in the same buffer', () => {
    const d = new RequestDecoder();
    const big = 'v'.repeat(20000);
    d.push(encodeCommand(['AUTH', 'alice', 'token']));
    d.push(encodeCommand(['SET', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']));
    d.push(encodeCommand(['ECHO', big]));
    expect(d.next()).toEqual(['AUTH', 'alice', 'token']);
    d.authenticated = true;
    expect(d.next()).toHaveLength(12);
    expect(d.next()).toEqual(['ECHO', big]);
    expect(d.next()).toBeNull();
  });

  it('refuses the same stream before login', () => {
    const d = new RequestDecoder();
    d.push(encodeCommand(['AUTH', 'alice', 'token']));
    d.push(encodeCommand(['SET', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']));
    expect(d.next()).toEqual(['AUTH', 'alice', 'token']);
    expect(() => d.next()).toThrow(expect.objectContaining({ code: 'UNAUTH_MULTIBULK_LENGTH' }));
  });

  it('consumes headers and arguments as they are read, like Redis', () => {
    const d = new RequestDecoder();
    d.push(Buffer.from('*2\r\n$4\r\nECHO\r\n$3\r\nab'));
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(2);
    d.push(Buffer.from('c\r\n'));
    expect(d.next()).toEqual(['ECHO', 'abc']);
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(0);
  });

  it('never allocates by the announced count', () => {
    // A huge announced count and bulk length: nothing is sized by them, memory follows the bytes received.
    const d = new RequestDecoder({ maxArgs: 2 ** 31 - 1, maxBulkBytes: 2 ** 31 - 1 });
    d.authenticated = true;
    d.push(Buffer.from('*2147483647\r\n$2147483647\r\nabc'));
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(3);
  });

  it('keeps a partial command across chunks and holds nothing once drained', () => {
    const d = new RequestDecoder();
    d.push(Buffer.from('PING\r\nPI'));
    expect(d.next()).toEqual(['PING']);
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(2);
    d.push(Buffer.from('NG\r\n'));
    expect(d.next()).toEqual(['PING']);
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(0);
  });

  it('keeps the bytes of arguments that are not UTF-8 text, for the commands asked for, the command just returned', () => {
    const d = new RequestDecoder({}, (name) => name === 'ECHO');
    const bin = Buffer.from([0x41, 0xff, 0x00, 0xc3]);
    const req = Buffer.concat([Buffer.from('*3\r\n$4\r\nECHO\r\n$4\r\n'), bin, Buffer.from('\r\n$3\r\n\uFFFD\r\n')]);
    d.push(req.subarray(0, 22)); // cut inside the binary argument
    expect(d.next()).toBe(null);
    d.push(req.subarray(22));
    expect(d.next()).toEqual(['ECHO', 'A\uFFFD\u0000\uFFFD', '\uFFFD']);
    expect(d.rawArg(1)).toEqual(bin);
    expect(d.rawArg(0)).toBe(null);
    expect(d.rawArg(2)).toBe(null); // a real U+FFFD is text
    d.push(Buffer.from('*2\r\n$4\r\nECHO\r\n$2\r\nok\r\n'));
    expect(d.next()).toEqual(['ECHO', 'ok']);
    expect(d.rawArg(1)).toBe(null);
    d.push(Buffer.concat([Buffer.from('*2\r\n$4\r\nSEND\r\n$4\r\n'), bin, Buffer.from('\r\n')]));
    expect(d.next()).toEqual(['SEND', 'A\uFFFD\u0000\uFFFD']);
    expect(d.rawArg(1)).toBe(null); // not asked for: decoded as text only
  });

  it('accepts plain Uint8Array chunks', () => {
    const d = new RequestDecoder();
    d.push(new TextEncoder().encode('*1\r\n$4\r\nPI'));
    d.push(new TextEncoder().encode('NG\r\n'));
    expect(d.next()).toEqual(['PING']);
  });

  // Linear: the bytes the decoder copies or searches stay a small multiple of its input, however it is
  // chunked (a rescan from the line's start at every push would make it quadratic: ~5·10^11 here).
  it('is linear on a long line fed byte by byte', () => {
    const d = new RequestDecoder({ maxInlineBytes: 4 * 1024 * 1024 });
    const one = Buffer.from('x');
    let early = 0;
    for (let i = 0; i < 1_000_000; i++) {
      d.push(one);
      if (d.next() !== null) early++;
    }
    expect(early).toBe(0);
    d.push(Buffer.from('\r\n'));
    expect(d.next()![0]).toHaveLength(1_000_000);
    expect(d.work).toBeLessThan(6 * 1_000_002);
  });

  it('is linear on a big bulk fed in small chunks', () => {
    const d = new RequestDecoder({ maxBulkBytes: 8 * 1024 * 1024 });
    d.authenticated = true;
    const payload = 'y'.repeat(8 * 1024 * 1024);
    const all = encodeCommand(['SET', 'k', payload]);
    let early = 0;
    for (let i = 0; i < all.length; i += 100) {
      d.push(all.subarray(i, i + 100));
      if (i + 100 < all.length && d.next() !== null) early++;
    }
    expect(early).toBe(0);
    expect(d.next()).toEqual(['SET', 'k', payload]);
    expect(d.work).toBeLessThan(6 * all.length);
  });

  it('makes errors through one factory with stable codes', () => {
    const e = protocolError('INVALID_BULK_LENGTH');
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('INVALID_BULK_LENGTH');
    expect(e.reply).toBe('ERR Protocol error: invalid bulk length');
    expect(protocolError('EXPECTED_DOLLAR', 'x'.charCodeAt(0)).reply).toBe("ERR Protocol error: expected '$', got 'x'");
  });
});

// Args as clients produce them: any Unicode text, including empty strings and CRLF inside.
const arg = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\r\n', '*1\r\n', '$', 'PING', '\x00'),
  fc.string({ unit: 'binary-ascii', minLength: 100, maxLength: 3000 }),
);
const command = fc.array(arg, { minLength: 1, maxLength: 12 });

describe('RequestDecoder properties', () => {
  it('decodes what encodeCommand encodes, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(command, { maxLength: 10 }).chain((cmds) => {
          const all = Buffer.concat(cmds.map(encodeCommand));
          return fc.tuple(fc.constant(cmds), fc.constant(all), cutPoints(all.length));
        }),
        ([cmds, all, points]) => {
          const out = decode(splitAt(all, points));
          expect(out.error).toBeUndefined();
          expect(out.commands).toEqual(cmds);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  // RESP-flavoured noise reaches the deep states more often than uniform bytes.
  const token = fc.oneof(
    fc.constantFrom('*', '$', '\r', '\n', '\r\n', '0', '1', '2', '3', '-', '"', "'", '\\', 'x', ' ', '\t', '\x00', '\x0b', 'PING'),
    fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u).toString('latin1')),
  );
  const noise = fc.array(token, { maxLength: 60 }).map((t) => Buffer.from(t.join(''), 'latin1'));
  const smallLimits = fc.record({
    maxBulkBytes: fc.integer({ min: 0, max: 40 }),
    maxInlineBytes: fc.integer({ min: 1, max: 40 }),
    maxArgs: fc.integer({ min: 1, max: 6 }),
    preAuthMaxArgs: fc.integer({ min: 0, max: 4 }),
    preAuthMaxBulkBytes: fc.integer({ min: 0, max: 10 }),
  });

  it('turns random bytes into commands or one ProtocolError, the same whole and cut', () => {
    fc.assert(
      fc.property(
        fc.oneof(noise, fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u))),
        fc.option(smallLimits, { nil: undefined }),
        fc.boolean(),
        fc.array(fc.nat({ max: 300 }), { maxLength: 10 }),
        (buf, limits, auth, points) => {
          const whole = decode([buf], limits, auth); // any other exception fails the property
          const bytewise = decode(byteByByte(buf), limits, auth);
          const cut = decode(splitAt(buf, points), limits, auth);
          for (const o of [bytewise, cut]) {
            expect(o.commands).toEqual(whole.commands);
            expect(o.error?.code).toBe(whole.error?.code);
            expect(o.error?.reply).toBe(whole.error?.reply);
          }
        },
      ),
      { seed: 11, numRuns: 3000 },
    );
  });
});
