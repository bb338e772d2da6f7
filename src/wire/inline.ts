// Inline commands ("SET k v\r\n", what telnet and redis-cli's raw mode send), split exactly as Redis's
// sdssplitargs() does:
// - leading blanks are C isspace() (space \t \n \v \f \r), but an unquoted token ends only at space \t \n \r;
// - "..." knows \xHH and \n \r \t \b \a, and any other \c means c; '...' knows only \';
// - a quote may open mid-token (a"b c" -> `ab c`); a closing quote must be followed by a blank or the end.
// Escapes produce raw bytes, so each token is built as bytes and decoded as UTF-8 at the end.

let scratch = Buffer.allocUnsafe(256);

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Arguments of the line buf[start, end) (no terminator), or null for "unbalanced quotes". */
export function splitInline(buf: Buffer, start: number, end: number): string[] | null {
  if (scratch.length < end - start) scratch = Buffer.allocUnsafe(end - start);
  const tok = scratch;
  // C reads past the end as the NUL terminator; so does at().
  const at = (i: number): number => (i < end ? buf[i] : 0);
  const out: string[] = [];
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p])) p++;
    if (at(p) === 0) return out; // C stops at NUL too
    let n = 0;
    let inq = false;
    let insq = false;
    for (let done = false; !done; ) {
      const c = at(p);
      if (inq) {
        if (c === 92 && at(p + 1) === 120 && hexVal(at(p + 2)) >= 0 && hexVal(at(p + 3)) >= 0) {
          tok[n++] = hexVal(at(p + 2)) * 16 + hexVal(at(p + 3));
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const e = buf[p];
          tok[n++] = e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e;
        } else if (c === 34) {
          const nx = at(p + 1);
          if (nx !== 0 && !isSpace(nx)) return null;
          done = true;
        } else if (c === 0) {
          return null; // unterminated "
        } else {
          tok[n++] = c;
        }
      } else if (insq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          tok[n++] = 39;
        } else if (c === 39) {
          const nx = at(p + 1);
          if (nx !== 0 && !isSpace(nx)) return null;
          done = true;
        } else if (c === 0) {
          return null; // unterminated '
        } else {
          tok[n++] = c;
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        tok[n++] = c;
      }
      if (at(p) !== 0) p++;
    }
    out.push(tok.toString('utf8', 0, n));
  }
}
