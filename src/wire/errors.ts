// Protocol errors of the RESP codec. The `reply` text is a wire contract: it is what Redis 7.0.15 sends
// (without '-' and CRLF) before closing the connection, so a server can send it verbatim and diff against Redis.
// Code paths assert on `code`; the text lives in one table so it cannot drift.

export type WireErrorCode =
  | 'INVALID_MULTIBULK_LENGTH'
  | 'INVALID_BULK_LENGTH'
  | 'EXPECTED_DOLLAR'
  | 'UNBALANCED_QUOTES'
  | 'INLINE_TOO_BIG'
  | 'MBULK_COUNT_TOO_BIG'
  | 'BULK_COUNT_TOO_BIG'
  | 'UNAUTH_MULTIBULK_LENGTH'
  | 'UNAUTH_BULK_LENGTH'
  | 'BAD_REPLY';

const PREFIX = 'ERR Protocol error: ';

const REPLIES: Readonly<Record<Exclude<WireErrorCode, 'EXPECTED_DOLLAR'>, string>> = {
  INVALID_MULTIBULK_LENGTH: PREFIX + 'invalid multibulk length',
  INVALID_BULK_LENGTH: PREFIX + 'invalid bulk length',
  UNBALANCED_QUOTES: PREFIX + 'unbalanced quotes in request',
  INLINE_TOO_BIG: PREFIX + 'too big inline request',
  MBULK_COUNT_TOO_BIG: PREFIX + 'too big mbulk count string',
  BULK_COUNT_TOO_BIG: PREFIX + 'too big bulk count string',
  UNAUTH_MULTIBULK_LENGTH: PREFIX + 'unauthenticated multibulk length',
  UNAUTH_BULK_LENGTH: PREFIX + 'unauthenticated bulk length',
  // Client side only (a malformed server reply): never sent on the wire, the detail goes to `message`.
  BAD_REPLY: PREFIX + 'bad reply',
};

export class ProtocolError extends Error {
  /** Use protocolError(); the constructor is public only so that `instanceof` and subclassing work. */
  constructor(
    readonly code: WireErrorCode,
    readonly reply: string,
    message: string = reply,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * The one factory for wire errors.
 * - EXPECTED_DOLLAR: `detail` is the byte found instead of '$'. Redis formats it with %c and then maps CR/LF to
 *   spaces (addReplyErrorFormat sanitises newlines); a byte >= 0x80 becomes the Latin-1 character of that byte.
 * - BAD_REPLY: `detail` says what was wrong; it goes to `message`, `reply` stays fixed.
 */
export function protocolError(code: WireErrorCode, detail?: string | number): ProtocolError {
  if (code === 'EXPECTED_DOLLAR') {
    const b = typeof detail === 'number' ? detail : (detail ?? '?').charCodeAt(0);
    const ch = b === 13 || b === 10 ? ' ' : String.fromCharCode(b);
    return new ProtocolError(code, `${PREFIX}expected '$', got '${ch}'`);
  }
  const reply = REPLIES[code];
  return new ProtocolError(code, reply, detail === undefined ? reply : `${reply}: ${detail}`);
}
