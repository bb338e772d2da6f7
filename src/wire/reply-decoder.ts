// Client side: turns what a server sends into Reply values. RESP2 (+ - : $ *) and RESP3 (_ # , ( = ~ % > | !).
// Nested aggregates are parsed with an explicit stack, so a deep or huge reply neither recurses nor is re-parsed
// when it arrives in pieces; items are appended as they arrive (a count never pre-allocates).
// Strict framing: lines end with CRLF, payloads are followed by CRLF; anything else is BAD_REPLY.
// ':' integers beyond 2^53 lose precision (Reply has no bigint); '(' big numbers stay strings.

import { ProtocolError, protocolError } from './errors';
import { InputBuffer, latin1, utf8 } from './input-buffer';
import { Push, Reply, ReplyError, RespMap } from './reply';

export const NEED_MORE: unique symbol = Symbol('NEED_MORE');

const K_ARRAY = 0; // '*' and '~' (a set is returned as an array)
const K_PUSH = 1;
const K_MAP = 2;
const K_ATTR = 3; // '|' attributes: parsed, then dropped

interface Frame {
  kind: number;
  items: Reply[];
  left: number;
}

// Type bytes known to this decoder: + - : $ * _ # , ( = ~ % > | !  (an unknown one fails at once).
const KNOWN = new Uint8Array(256);
for (const t of '+-:$*_#,(=~%>|!') KNOWN[t.charCodeAt(0)] = 1;
const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BIGNUM = /^-?\d+$/;

export class ReplyDecoder {
  private readonly q = new InputBuffer();
  private readonly stack: Frame[] = [];
  private scan = 0; // bytes of the current line already searched for '\r'
  private scanned = 0; // bytes searched for '\r', in all
  private err: ProtocolError | null = null;

  get buffered(): number {
    return this.q.length;
  }

  /** Bytes copied or searched so far. Stays linear in the input however it is chunked (tests check it). */
  get work(): number {
    return this.q.copied + this.scanned;
  }

  /** Append bytes (kept by reference until consumed: do not modify the chunk afterwards). Ignored once failed. */
  push(chunk: Uint8Array): void {
    if (this.err === null) this.q.push(chunk);
  }

  /** The next complete top-level reply, or NEED_MORE. Throws ProtocolError (BAD_REPLY), then keeps throwing it. */
  next(): Reply | typeof NEED_MORE {
    if (this.err !== null) throw this.err;
    const q = this.q;
    const stack = this.stack;
    for (;;) {
      const start = q.pos;
      if (start >= q.end) {
        q.clear();
        return NEED_MORE;
      }
      const buf = q.buf;
      const type = buf[start];
      if (KNOWN[type] === 0) throw this.fail(`unknown type byte 0x${type.toString(16)}`);
      const cr = this.line();
      if (cr < 0) return NEED_MORE;
      let after = cr + 2;
      let v: Reply;
      switch (type) {
        case 43: // '+'
          v = utf8(buf, start + 1, cr);
          break;
        case 45: // '-'
          v = new ReplyError(utf8(buf, start + 1, cr));
          break;
        case 58: // ':'
          v = this.int(start + 1, cr);
          break;
        case 36: // '$'
        case 61: // '=' verbatim
        case 33: {
          // '!' blob error
          const n = this.int(start + 1, cr);
          if (n === -1 && type === 36) {
            v = null;
            break;
          }
          if (n < 0) throw this.fail(`negative length ${n}`);
          if (q.end - after < n + 2) {
            this.scan = cr - start - 1; // the header is re-read when more bytes come: skip the search
            return NEED_MORE;
          }
          if (buf[after + n] !== 13 || buf[after + n + 1] !== 10) throw this.fail('payload not followed by CRLF');
          if (type === 61) {
            if (n < 4 || buf[after + 3] !== 58) throw this.fail('verbatim string without a format');
            v = utf8(buf, after + 4, after + n);
          } else {
            v = utf8(buf, after, after + n);
            if (type === 33) v = new ReplyError(v);
          }
          after += n + 2;
          break;
        }
        case 42: // '*'
        case 126: // '~'
        case 62: // '>'
        case 37: // '%'
        case 124: {
          // '|'
          const n = this.int(start + 1, cr);
          if (n === -1 && type === 42) {
            v = null;
            break;
          }
          if (n < 0) throw this.fail(`negative count ${n}`);
          const kind = type === 62 ? K_PUSH : type === 37 ? K_MAP : type === 124 ? K_ATTR : K_ARRAY;
          const left = kind >= K_MAP ? n * 2 : n;
          q.pos = after;
          this.scan = 0;
          if (left > 0) {
            stack.push({ kind, items: [], left });
            continue;
          }
          if (kind === K_ATTR) continue; // an empty attribute: nothing to drop
          v = build(kind, []);
          break;
        }
        case 95: // '_'
          if (cr !== start + 1) throw this.fail('null with a payload');
          v = null;
          break;
        case 35: // '#'
          if (cr !== start + 2 || (buf[start + 1] !== 116 && buf[start + 1] !== 102)) throw this.fail('bad boolean');
          v = buf[start + 1] === 116;
          break;
        case 44: // ','
          v = this.double(latin1(buf, start + 1, cr));
          break;
        case 40: {
          // '(' big number: kept as a string (no bigint in Reply)
          const s = latin1(buf, start + 1, cr);
          if (!BIGNUM.test(s)) throw this.fail('bad big number');
          v = s;
          break;
        }
        default:
          throw this.fail(`unknown type byte 0x${type.toString(16)}`);
      }
      q.pos = after;
      this.scan = 0;
      // Attach the value to the open aggregates; whatever closes becomes the value for the level above.
      for (;;) {
        const top = stack.length === 0 ? undefined : stack[stack.length - 1];
        if (top === undefined) return v;
        top.items.push(v);
        if (--top.left > 0) break;
        stack.pop();
        if (top.kind === K_ATTR) break; // dropped: the reply it annotates comes next
        v = build(top.kind, top.items);
      }
    }
  }

  /** Index of the '\r' ending the line at q.pos (its '\n' present), or -1 if incomplete. */
  private line(): number {
    const q = this.q;
    const from = q.pos + 1 + this.scan;
    const i = q.buf.indexOf(13, from);
    this.scanned += (i < 0 || i >= q.end ? q.end : i) - from;
    if (i < 0 || i >= q.end) {
      this.scan = Math.max(0, q.end - q.pos - 1);
      return -1;
    }
    if (i + 1 >= q.end) {
      this.scan = i - q.pos - 1;
      return -1;
    }
    if (q.buf[i + 1] !== 10) throw this.fail('CR not followed by LF');
    return i;
  }

  private int(start: number, end: number): number {
    const buf = this.q.buf;
    let i = start;
    const neg = buf[i] === 45;
    if (neg) i++;
    if (i === end) throw this.fail('empty integer');
    if (end - i > 15) {
      const s = latin1(buf, start, end);
      if (!BIGNUM.test(s)) throw this.fail('bad integer');
      return Number(s);
    }
    let v = 0;
    for (; i < end; i++) {
      const c = buf[i];
      if (c < 48 || c > 57) throw this.fail('bad integer');
      v = v * 10 + c - 48;
    }
    return neg ? -v : v;
  }

  private double(s: string): number {
    const l = s.toLowerCase();
    if (l === 'inf' || l === '+inf') return Infinity;
    if (l === '-inf') return -Infinity;
    if (l === 'nan' || l === '-nan') return NaN;
    if (!DOUBLE.test(s)) throw this.fail('bad double');
    return Number(s);
  }

  private fail(detail: string): ProtocolError {
    this.err = protocolError('BAD_REPLY', detail);
    this.q.clear();
    this.stack.length = 0;
    return this.err;
  }
}

function build(kind: number, items: Reply[]): Reply {
  if (kind === K_PUSH) return new Push(items);
  if (kind === K_MAP) {
    const entries: Array<[Reply, Reply]> = [];
    for (let i = 0; i < items.length; i += 2) entries.push([items[i], items[i + 1]]);
    return new RespMap(entries);
  }
  return items;
}
