// Server side: turns the bytes clients send into commands, exactly as Redis 7.0 (networking.c
// processInlineBuffer / processMultibulkBuffer) does, including its quirks:
// - a header line ends at the first '\r' and needs one more byte, which is skipped unread; the two bytes after a
//   bulk payload are skipped unread as well;
// - numbers follow string2ll(): no '+', no leading zeros, no "-0", at most 20 characters;
// - "*0", "*-N" and empty inline lines produce nothing; a count is checked against the limits as soon as its
//   line is read, the general limit first, then the pre-auth one;
// - a NUL byte hides the end of a header or inline line (Redis searches with strchr), so such a line only ends
//   by growing past maxInlineBytes.
// One deliberate difference: a line longer than maxInlineBytes is refused even when its terminator arrives in the
// same read (Redis accepts it then), so the outcome never depends on how TCP split the stream.
// Sans-I/O: push() bytes, call next() until null. Explicit states, integers parsed by hand, args grown one by one.

import { isUtf8 } from 'node:buffer';
import { ProtocolError, WireErrorCode, protocolError } from './errors';
import { InputBuffer, utf8 } from './input-buffer';
import { splitInline } from './inline';

export interface RequestLimits {
  /** Largest bulk argument. Redis allows 512 MiB; an IM long connection needs far less (media goes over HTTP). */
  maxBulkBytes: number;
  /** Longest inline request, or '*'/'$' count line, without its terminator. */
  maxInlineBytes: number;
  /** Most arguments in one multibulk request. */
  maxArgs: number;
  /** Most arguments before authentication (Redis: "unauthenticated multibulk length"). */
  preAuthMaxArgs: number;
  /** Largest bulk argument before authentication (Redis: "unauthenticated bulk length"). */
  preAuthMaxBulkBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxBulkBytes: 1024 * 1024,
  maxInlineBytes: 64 * 1024,
  maxArgs: 1024 * 1024,
  preAuthMaxArgs: 10,
  preAuthMaxBulkBytes: 16384,
});

const S_START = 0; // at the first byte of a request
const S_HEAD = 1; // inside a multibulk, before a '$' line
const S_DATA = 2; // inside a multibulk, waiting for a bulk payload of bulkLen bytes + 2

const LF = 10;
const CR = 13;
const STAR = 42;
const DOLLAR = 36;
const INT_MAX = 2147483647;

// Line end found by fastNumber() (a second return value without allocating).
let fastEnd = 0;

/**
 * Fast path for the usual header "<1 to 15 digits>\r<any byte>" starting at buf[i]: returns the value and sets
 * fastEnd, or -1 when anything is unusual or incomplete (then the exact, slower path decides).
 */
function fastNumber(buf: Buffer, i: number, end: number): number {
  if (i >= end) return -1;
  let c = buf[i];
  let v = 0;
  if (c >= 49 && c <= 57) {
    v = c - 48;
    i++;
    const stop = Math.min(end, i + 14);
    while (i < stop && (c = buf[i]) >= 48 && c <= 57) {
      v = v * 10 + c - 48;
      i++;
    }
  } else if (c === 48) {
    i++;
  } else {
    return -1;
  }
  if (i + 1 >= end || buf[i] !== CR) return -1;
  fastEnd = i + 2;
  return v;
}

/** Redis's string2ll() over buf[start, end): the value, or NaN when Redis would refuse it. */
export function parseRedisInt(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len === 0 || len >= 21) return NaN;
  if (len === 1 && buf[start] === 48) return 0;
  let i = start;
  const neg = buf[i] === 45;
  if (neg && ++i === end) return NaN;
  const first = buf[i];
  if (first < 49 || first > 57) return NaN;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + c - 48;
  }
  const digits = end - (neg ? start + 1 : start);
  if (digits >= 19) {
    // Beyond 2^53 the double is inexact: decide the int64 overflow on the digit string.
    const s = buf.toString('latin1', end - digits, end);
    if (digits > 19 || s > (neg ? '9223372036854775808' : '9223372036854775807')) return NaN;
  }
  return neg ? -v : v;
}

export class RequestDecoder {
  /** Set by the owner after a successful login: switches from the pre-auth limits to the general ones. */
  authenticated = false;

  private readonly q = new InputBuffer();
  private readonly maxBulk: number;
  private readonly maxInline: number;
  private readonly maxArgs: number;
  private readonly preAuthArgs: number;
  private readonly preAuthBulk: number;

  private state = S_START;
  private args: string[] = [];
  /** Bytes of the arguments of the current command that are not UTF-8 text, by argument index. */
  private raw: Buffer[] | null = null;
  /** The current command is one whose arguments keep their bytes (see `keepBytes`); set at its second argument. */
  private keep = false;
  private readonly keepBytes: ((name: string) => boolean) | null;
  private left = 0; // bulk arguments still to read
  private bulkLen = 0;
  private scan = 0; // bytes of the current line already searched for its terminator
  private scanned = 0; // bytes searched for terminators, in all
  private stuck = false; // the current line has a NUL before its terminator
  private err: ProtocolError | null = null;

  /**
   * `keepBytes(name)`: true for the commands (by their first argument) whose other arguments must
   * keep their exact bytes when they are not UTF-8 text (rawArg). Asked once per command, so the
   * arguments of all other commands cost nothing extra (and commands without arguments do not ask).
   */
  constructor(limits?: Partial<RequestLimits>, keepBytes?: (name: string) => boolean) {
    this.keepBytes = keepBytes ?? null;
    const l = { ...DEFAULT_REQUEST_LIMITS, ...limits };
    for (const [k, v] of Object.entries(l)) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`RequestLimits.${k} must be a non-negative integer, got ${v}`);
    }
    this.maxBulk = l.maxBulkBytes;
    this.maxInline = l.maxInlineBytes;
    this.maxArgs = Math.min(l.maxArgs, INT_MAX);
    this.preAuthArgs = l.preAuthMaxArgs;
    this.preAuthBulk = l.preAuthMaxBulkBytes;
  }

  /** Bytes received and not consumed yet (Redis consumes each header and argument as it is read). */
  get buffered(): number {
    return this.q.length;
  }

  /** Bytes copied or searched so far. Stays linear in the input however it is chunked (tests check it). */
  get work(): number {
    return this.q.copied + this.scanned;
  }

  /** Append bytes. The chunk may be kept by reference until consumed: do not modify it afterwards. Ignored once failed. */
  push(chunk: Uint8Array): void {
    if (this.err === null) this.q.push(chunk);
  }

  /**
   * The bytes of argument `i` (i >= 1) of the command next() returned last, when that command is one
   * `keepBytes` named and the bytes are not valid UTF-8 (its string holds U+FFFD in their place):
   * ECHO answers them unchanged, as Redis does (redis-cli --pipe ends with ECHO of 20 random bytes and
   * waits for exactly those). Null otherwise. Multibulk arguments only; inline "\xHH" escapes decode as UTF-8.
   */
  rawArg(i: number): Buffer | null {
    return this.raw?.[i] ?? null;
  }

  /** The next complete command, or null when more bytes are needed. Throws ProtocolError, then keeps throwing it. */
  next(): string[] | null {
    if (this.err !== null) throw this.err;
    const q = this.q;
    for (;;) {
      if (this.state === S_START) {
        const p = q.pos;
        if (p >= q.end) {
          q.clear();
          return null;
        }
        if (q.buf[p] !== STAR) {
          const cmd = this.inline();
          if (cmd === null) return null;
          this.raw = null;
          if (cmd.length === 0) continue;
          return cmd;
        }
        // A line already partly searched (scan > 0) stays on the exact path.
        let n = this.scan === 0 ? fastNumber(q.buf, p + 1, q.end) : -1;
        if (n >= 0 && fastEnd - 2 - p <= this.maxInline) {
          q.pos = fastEnd;
        } else {
          n = this.slowHeader(STAR);
          if (n !== n) return null;
        }
        if (n > this.maxArgs) throw this.fail('INVALID_MULTIBULK_LENGTH');
        if (n > this.preAuthArgs && !this.authenticated) throw this.fail('UNAUTH_MULTIBULK_LENGTH');
        if (n <= 0) continue;
        this.left = n;
        this.args = [];
        this.raw = null;
        this.state = S_HEAD;
      }
      return this.bulks();
    }
  }

  /** Reads the bulk arguments of the current multibulk; the whole command, or null (state saved). */
  private bulks(): string[] | null {
    const q = this.q;
    const buf = q.buf;
    const end = q.end;
    const args = this.args;
    let p = q.pos;
    let left = this.left;
    let len = this.bulkLen;
    let state = this.state;
    while (left > 0) {
      if (state === S_HEAD) {
        len = -1;
        if (p < end && buf[p] === DOLLAR && this.scan === 0) {
          len = fastNumber(buf, p + 1, end);
          if (len >= 0 && fastEnd - 2 - p > this.maxInline) len = -1;
        }
        if (len >= 0) {
          p = fastEnd;
        } else {
          q.pos = p;
          len = this.slowHeader(DOLLAR);
          if (len !== len) {
            this.left = left;
            this.state = S_HEAD;
            return null;
          }
          p = q.pos;
        }
        if (len < 0 || len > this.maxBulk) throw this.fail('INVALID_BULK_LENGTH');
        if (len > this.preAuthBulk && !this.authenticated) throw this.fail('UNAUTH_BULK_LENGTH');
        state = S_DATA;
      }
      if (end - p < len + 2) {
        q.pos = p;
        this.left = left;
        this.bulkLen = len;
        this.state = S_DATA;
        return null;
      }
      const arg = utf8(buf, p, p + len);
      if (args.length !== 0 && this.keepBytes !== null) {
        if (args.length === 1) this.keep = this.keepBytes(args[0]); // commands without arguments (heartbeats) never ask
        if (this.keep && !isUtf8(buf.subarray(p, p + len))) (this.raw ??= [])[args.length] = Buffer.from(buf.subarray(p, p + len));
      }
      args.push(arg);
      p += len + 2;
      left--;
      state = S_HEAD;
    }
    q.pos = p;
    this.state = S_START;
    this.left = 0;
    return args;
  }

  /** Any '*' or '$' line the fast path declined: the exact Redis rules. The number, or NaN if incomplete. */
  private slowHeader(kind: number): number {
    const count = kind === STAR;
    const cr = this.lineEnd(CR, 1, count ? 'MBULK_COUNT_TOO_BIG' : 'BULK_COUNT_TOO_BIG');
    if (cr < 0) return NaN;
    const q = this.q;
    const start = q.pos;
    if (!count && q.buf[start] !== DOLLAR) throw this.fail('EXPECTED_DOLLAR', q.buf[start]);
    const v = parseRedisInt(q.buf, start + 1, cr);
    if (v !== v) throw this.fail(count ? 'INVALID_MULTIBULK_LENGTH' : 'INVALID_BULK_LENGTH');
    q.pos = cr + 2;
    return v;
  }

  /** An inline request: its arguments (maybe none), or null if the line is incomplete. */
  private inline(): string[] | null {
    const nl = this.lineEnd(LF, 0, 'INLINE_TOO_BIG');
    if (nl < 0) return null;
    const q = this.q;
    const start = q.pos;
    const args = splitInline(q.buf, start, nl > start && q.buf[nl - 1] === CR ? nl - 1 : nl);
    if (args === null) throw this.fail('UNBALANCED_QUOTES');
    q.pos = nl + 1;
    return args;
  }

  /**
   * Finds the terminator of the line starting at q.pos the way Redis's strchr() does (a NUL stops the search),
   * followed by `extra` more bytes. Returns its index, or -1 if more bytes are needed. A line whose terminator
   * is further than maxInlineBytes, or still missing after more than maxInlineBytes, is refused.
   */
  private lineEnd(target: number, extra: number, tooBig: WireErrorCode): number {
    const q = this.q;
    const buf = q.buf;
    const start = q.pos;
    const end = q.end;
    if (!this.stuck) {
      let i = start + this.scan;
      while (i < end) {
        const c = buf[i];
        if (c === target || c === 0) break;
        i++;
      }
      this.scanned += i - (start + this.scan);
      if (i < end && buf[i] === target) {
        if (i - start > this.maxInline) throw this.fail(tooBig);
        if (i + extra < end) {
          this.scan = 0;
          return i;
        }
        this.scan = i - start;
        return -1;
      }
      if (i < end) this.stuck = true;
      else this.scan = i - start;
    }
    if (end - start > this.maxInline) throw this.fail(tooBig);
    return -1;
  }

  private fail(code: WireErrorCode, byte?: number): ProtocolError {
    this.err = protocolError(code, byte);
    this.q.clear();
    this.args = [];
    return this.err;
  }
}
