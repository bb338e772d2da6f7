// Byte queue shared by both decoders: one Buffer plus [pos, end). Decoders read `buf` directly with offsets.
// - A chunk pushed while nothing is pending is used in place (no copy): the common case for a server that
//   drains the decoder after every socket read. The caller must not mutate a chunk after pushing it.
// - A partial message is kept in an owned buffer that grows by doubling, so byte-by-byte input stays linear.
// - Memory is dropped as soon as everything is consumed: an idle connection holds no buffer at all.

const EMPTY = Buffer.alloc(0);
const MIN_OWNED = 16 * 1024;

export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class InputBuffer {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  /** Bytes copied so far (into the owned buffer, or moved within it): linear in the input, tests check it. */
  copied = 0;
  private owned = false;

  get length(): number {
    return this.end - this.pos;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.byteLength;
    if (n === 0) return;
    const rem = this.end - this.pos;
    if (rem === 0) {
      this.buf = asBuffer(chunk);
      this.pos = 0;
      this.end = n;
      this.owned = false;
      return;
    }
    const need = rem + n;
    const cap = this.owned ? this.buf.length : 0;
    if (this.end + n <= cap) {
      // Fits after the pending bytes.
    } else if (need <= cap >>> 1 && (cap <= 4 * MIN_OWNED || need * 8 >= cap)) {
      // Compact in place only when that frees at least half (keeps total copying linear) and the buffer is
      // not far too big for what is pending (a big bulk left it large: then reallocate smaller below).
      this.buf.copyWithin(0, this.pos, this.end);
      this.copied += rem;
      this.pos = 0;
      this.end = rem;
    } else {
      // Grow (or shrink a buffer left big by an earlier large bulk) to twice what is needed now.
      const next = Buffer.allocUnsafe(Math.max(MIN_OWNED, need * 2));
      this.buf.copy(next, 0, this.pos, this.end);
      this.copied += rem;
      this.buf = next;
      this.pos = 0;
      this.end = rem;
      this.owned = true;
    }
    this.buf.set(chunk, this.end);
    this.copied += n;
    this.end += n;
  }

  /** Drop the buffer once everything is consumed (called by decoders when they run dry). */
  clear(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
    this.owned = false;
  }
}

interface SliceBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/**
 * UTF-8 text of buf[start, end). Short ASCII strings (command names, ids) are built by hand: about twice as fast
 * as a native slice call, and below 13 characters V8 keeps the result flat. Invalid UTF-8 becomes U+FFFD.
 */
export function utf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= 12) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c > 127) return (buf as SliceBuffer).utf8Slice(start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return (buf as SliceBuffer).utf8Slice(start, end);
}

/** One byte per character: for ASCII-only syntax (numbers, type tags). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as SliceBuffer).latin1Slice(start, end);
}
