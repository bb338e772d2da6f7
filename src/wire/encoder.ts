// RESP encoding: commands (client side) and replies (server side, RESP2 or RESP3).
// ChunkWriter lets a server append many replies and send them in one write; encodeReply() is the one-shot form.

import { Push, Reply, ReplyError, RespMap, SimpleString } from './reply';

const EMPTY = Buffer.alloc(0);
const INT64_LIMIT = 9223372036854775808; // 2^63, exact as a double

/**
 * An append-only byte buffer. take() hands out a view of what was written and continues after it in the same
 * slab, so taken bytes are never overwritten (safe to pass to socket.write) and small replies share memory.
 */
export class ChunkWriter {
  private buf: Buffer = EMPTY;
  private start = 0; // first byte not taken yet
  private pos = 0;
  /**
   * Size of the next buffer: it starts small (Buffer's shared pool) and doubles up to `slab` as the
   * writer keeps writing. A connection that answers a PING now and then holds no slab of its own
   * (take() drops small buffers), one that streams replies soon writes into whole slabs.
   */
  private size = 256;

  constructor(private readonly slab = 16 * 1024) {}

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos - this.start;
  }

  /** The bytes written since the last take(), then starts afresh. */
  take(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    // A nearly full slab is dropped now rather than kept by an idle connection.
    if (this.buf.length - this.pos < this.slab >>> 3) {
      this.buf = EMPTY;
      this.start = this.pos = 0;
    }
    return out;
  }

  /** Forget the bytes written since the last take(). */
  discard(): void {
    this.pos = this.start;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const pending = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.size, (pending + n) * 2));
    if (this.size < this.slab) this.size = Math.min(this.slab, this.size * 2);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = pending;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A type byte, a decimal integer and CRLF: every RESP header. */
  header(type: number, n: number): void {
    const s = n >= 0 && n < 10 ? null : String(n);
    this.room(s === null ? 4 : s.length + 3);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = type;
    if (s === null) buf[p++] = 48 + n;
    else for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    buf[p++] = 13;
    buf[p++] = 10;
    this.pos = p;
  }

  /** A string as UTF-8 (lone surrogates become U+FFFD); `bytes` is its UTF-8 length when already known. */
  utf8(s: string, bytes = -1): void {
    const n = s.length;
    this.room(bytes >= 0 ? bytes : n <= 64 ? n * 3 : Buffer.byteLength(s));
    const buf = this.buf;
    if (n <= 32) {
      // Short ASCII by hand: cheaper than a native call.
      let p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
    }
    this.pos += buf.write(s, this.pos, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  crlf(): void {
    this.room(2);
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }
}

/** A client command: *N then N bulk strings. Exactly sized. */
export function encodeCommand(args: readonly string[]): Buffer {
  let size = String(args.length).length + 3; // computed so that the writer allocates once
  const lens: number[] = new Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const n = Buffer.byteLength(args[i]);
    lens[i] = n;
    size += String(n).length + n + 5;
  }
  const w = new ChunkWriter(size);
  w.header(42, args.length);
  for (let i = 0; i < args.length; i++) {
    w.header(36, lens[i]);
    w.utf8(args[i], lens[i]);
    w.crlf();
  }
  return w.take();
}

// The UTF-8 length of a short string when it is pure ASCII, else -1 (saves a native call per small bulk).
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return -1;
  return s.length;
}

function bulk(out: ChunkWriter, s: string): void {
  const n = s.length <= 32 ? asciiLength(s) : -1;
  const bytes = n >= 0 ? n : Buffer.byteLength(s);
  out.header(36, bytes);
  out.utf8(s, bytes);
  out.crlf();
}

// CR or LF inside a +status or -error line would end it early: Redis maps them to spaces (addReplyErrorFormat).
function line(out: ChunkWriter, type: number, s: string): void {
  out.byte(type);
  out.utf8(s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace(/[\r\n]/g, ' '));
  out.crlf();
}

function formatDouble(n: number): string {
  if (n !== n) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function number(out: ChunkWriter, n: number, resp3: boolean): void {
  if (Number.isSafeInteger(n)) {
    out.header(58, n);
  } else if (Number.isInteger(n) && n >= -INT64_LIMIT && n < INT64_LIMIT) {
    line(out, 58, BigInt(n).toString()); // String() would say "1e+21"
  } else if (resp3) {
    line(out, 44, formatDouble(n));
  } else {
    bulk(out, formatDouble(n)); // RESP2 has no double: Redis sends a bulk string (ZSCORE)
  }
}

/** Append one reply. On a bad value (not a Reply) throws TypeError, leaving a partial reply in `out`. */
export function writeReply(out: ChunkWriter, r: Reply, resp3 = false): void {
  switch (typeof r) {
    case 'string':
      return bulk(out, r);
    case 'number':
      return number(out, r, resp3);
    case 'boolean':
      if (resp3) return line(out, 35, r ? 't' : 'f');
      return out.header(58, r ? 1 : 0);
    case 'object':
      if (r === null) {
        if (resp3) return line(out, 95, '');
        return out.header(36, -1);
      }
      if (Array.isArray(r)) {
        out.header(42, r.length);
        for (let i = 0; i < r.length; i++) writeReply(out, r[i], resp3);
        return;
      }
      if (r instanceof SimpleString) return line(out, 43, r.value);
      if (r instanceof ReplyError) return line(out, 45, r.message);
      if (r instanceof Push) {
        out.header(resp3 ? 62 : 42, r.items.length);
        for (const item of r.items) writeReply(out, item, resp3);
        return;
      }
      if (r instanceof RespMap) {
        if (resp3) out.header(37, r.entries.length);
        else out.header(42, r.entries.length * 2);
        for (const [k, v] of r.entries) {
          writeReply(out, k, resp3);
          writeReply(out, v, resp3);
        }
        return;
      }
  }
  throw new TypeError(`not a RESP reply: ${String(r)}`);
}

/** A bulk string of exactly these bytes (a Reply string is written as UTF-8; these need not be text). */
export function writeBulkBytes(out: ChunkWriter, b: Uint8Array): void {
  out.header(36, b.length);
  out.bytes(b);
  out.crlf();
}

const shared = new ChunkWriter(8 * 1024);

/** One reply as bytes. Like Buffer.allocUnsafe, small results are views of a shared slab. */
export function encodeReply(r: Reply, resp3 = false): Buffer {
  try {
    writeReply(shared, r, resp3);
  } catch (e) {
    shared.discard();
    throw e;
  }
  return shared.take();
}
