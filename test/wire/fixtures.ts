// Request fixtures: bytes -> commands, then maybe an error. The reply texts were checked against
// redis-server 7.0.15 (see redis-oracle.test.ts, which replays them against a live server when one is installed).
import type { RequestLimits, WireErrorCode } from '../../src/wire';

export interface RequestFixture {
  name: string;
  /** A string is taken byte per character (latin1); use a Buffer for UTF-8 payloads. */
  input: string | Buffer;
  commands: string[][];
  error?: { code: WireErrorCode; reply: string };
  limits?: Partial<RequestLimits>;
  /** Authenticated from the first byte (default true). */
  auth?: boolean;
  /** false: our deliberate difference from Redis (or a limit Redis does not have); skip the live comparison. */
  oracle?: false;
}

export const R = {
  IML: 'ERR Protocol error: invalid multibulk length',
  IBL: 'ERR Protocol error: invalid bulk length',
  UQ: 'ERR Protocol error: unbalanced quotes in request',
  INLINE: 'ERR Protocol error: too big inline request',
  MBULK: 'ERR Protocol error: too big mbulk count string',
  BULK: 'ERR Protocol error: too big bulk count string',
  UMBL: 'ERR Protocol error: unauthenticated multibulk length',
  UBL: 'ERR Protocol error: unauthenticated bulk length',
  dollar: (c: string) => `ERR Protocol error: expected '$', got '${c}'`,
};

const iml = { code: 'INVALID_MULTIBULK_LENGTH', reply: R.IML } as const;
const ibl = { code: 'INVALID_BULK_LENGTH', reply: R.IBL } as const;
const uq = { code: 'UNBALANCED_QUOTES', reply: R.UQ } as const;
const inlineBig = { code: 'INLINE_TOO_BIG', reply: R.INLINE } as const;
const dollar = (c: string) => ({ code: 'EXPECTED_DOLLAR', reply: R.dollar(c) }) as const;

const K = 64 * 1024;
const PING = ['PING'];

export const REQUEST_FIXTURES: RequestFixture[] = [
  // Inline commands
  { name: 'inline CRLF', input: 'PING\r\n', commands: [PING] },
  { name: 'inline LF only', input: 'PING\n', commands: [PING] },
  { name: 'empty inline lines are ignored', input: '\r\n\n  \r\nPING\r\n', commands: [PING] },
  { name: 'spaces and tabs split', input: '  ECHO\t\tx  \r\n', commands: [['ECHO', 'x']] },
  { name: 'vertical tab: skipped before a token, literal inside', input: '\x0bECHO a\x0bb\r\n', commands: [['ECHO', 'a\x0bb']] },
  { name: 'only one CR is stripped, the other ends the token', input: 'ECHO x\r\r\n', commands: [['ECHO', 'x']] },
  { name: 'a bare CR splits arguments', input: 'ECHO a\rb\n', commands: [['ECHO', 'a', 'b']] },
  { name: 'double-quote escapes', input: 'ECHO "\\n\\r\\t\\b\\a\\\\\\"\\q"\r\n', commands: [['ECHO', '\n\r\t\b\x07\\"q']] },
  { name: 'hex escape', input: 'ECHO "a\\x41b"\r\n', commands: [['ECHO', 'aAb']] },
  { name: 'incomplete hex escape is a plain escape', input: 'ECHO "a\\x4"\r\n', commands: [['ECHO', 'ax4']] },
  { name: 'hex escapes make UTF-8', input: 'ECHO "\\xe4\\xbd\\xa0"\r\n', commands: [['ECHO', '你']] },
  { name: "single quotes only know \\'", input: "ECHO 'a\\'b' 'c\\nd'\r\n", commands: [['ECHO', "a'b", 'c\\nd']] },
  { name: 'a quote may open mid-token', input: 'ECHO a"b c"\r\n', commands: [['ECHO', 'ab c']] },
  { name: 'empty quoted arguments', input: 'ECHO "" \'\'\r\n', commands: [['ECHO', '', '']] },
  { name: 'closing quote followed by \\v is fine', input: 'ECHO "x"\x0b\r\n', commands: [['ECHO', 'x']] },
  { name: 'closing quote followed by a letter', input: 'ECHO "a"b\r\n', commands: [], error: uq },
  { name: "closing single quote followed by a letter", input: "ECHO 'a'b\r\n", commands: [], error: uq },
  { name: 'closing quote followed by another quote', input: 'ECHO "a"\'b\'\r\n', commands: [], error: uq },
  { name: 'unterminated double quote', input: 'ECHO "a\r\n', commands: [], error: uq },
  { name: 'unterminated single quote', input: "ECHO 'a\r\n", commands: [], error: uq },
  { name: 'escaped closing quote leaves it open', input: 'ECHO "a\\"\r\n', commands: [], error: uq },
  { name: 'inline UTF-8', input: Buffer.from('ECHO héllo\r\n'), commands: [['ECHO', 'héllo']] },
  { name: 'a line starting with $ is inline', input: '$4\r\n', commands: [['$4']] },

  // Multibulk
  {
    name: 'pipelined multibulk',
    input: '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n*1\r\n$4\r\nPING\r\n',
    commands: [PING, ['ECHO', 'hello world'], PING],
  },
  { name: 'multibulk UTF-8 argument', input: Buffer.from('*2\r\n$4\r\nECHO\r\n$3\r\n你\r\n'), commands: [['ECHO', '你']] },
  { name: 'empty bulk', input: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n', commands: [['ECHO', '']] },
  { name: 'bulk may contain CRLF', input: '*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n', commands: [['ECHO', 'a\r\nb']] },
  { name: 'mixed inline and multibulk', input: 'PING\r\n*1\r\n$4\r\nPING\r\nECHO a\n', commands: [PING, PING, ['ECHO', 'a']] },
  { name: '*0, *-1, *-5 are ignored', input: '*0\r\n*-1\r\n*-5\r\nPING\r\n', commands: [PING] },
  { name: 'smallest int64 count is ignored', input: '*-9223372036854775808\r\nPING\r\n', commands: [PING] },
  { name: 'count below int64', input: '*-9223372036854775809\r\n', commands: [], error: iml },
  { name: '*-0', input: '*-0\r\nPING\r\n', commands: [], error: iml },
  { name: 'empty count', input: '*\r\nPING\r\n', commands: [], error: iml },
  { name: 'leading zero in count', input: '*01\r\n$4\r\nPING\r\n', commands: [], error: iml },
  { name: 'plus sign in count', input: '*+1\r\n$4\r\nPING\r\n', commands: [], error: iml },
  { name: 'space before count', input: '* 1\r\n', commands: [], error: iml },
  { name: 'space after count', input: '*1 \r\n', commands: [], error: iml },
  { name: 'letters in count', input: '*abc\r\n', commands: [], error: iml },
  { name: 'count above INT_MAX', input: '*2147483648\r\n', commands: [], error: iml },
  { name: '20-digit count', input: '*99999999999999999999\r\n', commands: [], error: iml },
  { name: '21-digit count', input: '*999999999999999999999\r\n', commands: [], error: iml },
  { name: 'count at maxArgs waits', input: '*1048576\r\n', commands: [] },
  { name: 'count above maxArgs', input: '*1048577\r\n', commands: [], error: iml, oracle: false },
  { name: 'count above a small maxArgs', input: '*3\r\n', limits: { maxArgs: 2 }, commands: [], error: iml, oracle: false },
  { name: "expected '$'", input: '*1\r\nx\r\n', commands: [], error: dollar('x') },
  { name: "expected '$', got CR", input: '*1\r\n\r\n', commands: [], error: dollar(' ') },
  { name: "expected '$', got LF", input: '*1\r\n\nabc\r\n', commands: [], error: dollar(' ') },
  { name: "expected '$', got a high byte", input: '*1\r\n\xff\r\n', commands: [], error: dollar('\xff') },
  { name: "expected '$' waits for the whole line", input: '*1\r\nxyz', commands: [] },
  { name: 'negative bulk length', input: '*1\r\n$-1\r\n', commands: [], error: ibl },
  { name: 'empty bulk length', input: '*1\r\n$\r\n', commands: [], error: ibl },
  { name: 'leading zero in bulk length', input: '*1\r\n$01\r\nx\r\n', commands: [], error: ibl },
  { name: 'space in bulk length', input: '*1\r\n$ 1\r\nx\r\n', commands: [], error: ibl },
  { name: 'bulk length above maxBulkBytes', input: '*1\r\n$1048577\r\n', commands: [], error: ibl, oracle: false },
  { name: 'bulk length at maxBulkBytes waits', input: '*1\r\n$1048576\r\n', commands: [] },
  { name: 'bulk length above 512 MiB', input: '*1\r\n$536870913\r\n', commands: [], error: ibl },
  { name: 'bytes after a bulk are skipped unread', input: '*1\r\n$4\r\nPINGxxPING\r\n', commands: [PING, PING] },
  { name: 'byte after a header CR is skipped unread', input: '*1\rX$4\r\nPING\r\n', commands: [PING] },
  { name: 'incomplete command waits', input: '*2\r\n$4\r\nECHO\r\n$3\r\nab', commands: [] },
  { name: 'header CR without its next byte waits', input: '*2\r\n$4\r', commands: [] },
  {
    name: 'commands before an error are returned',
    input: 'PING\r\nPING\r\n*1\r\nfoo\r\nPING\r\n',
    commands: [PING, PING],
    error: dollar('f'),
  },
  { name: 'commands before a bad count', input: '*1\r\n$4\r\nPING\r\n*x\r\n', commands: [PING], error: iml },

  // A NUL hides a line's end (Redis uses strchr): the line waits until it is too big.
  { name: 'NUL in an inline line', input: 'PING\x00\r\n', commands: [] },
  { name: 'NUL in a count line', input: '*1\x00\r\n', commands: [] },
  { name: 'NUL in a bulk length line', input: '*1\r\n$4\x00\r\nPING\r\n', commands: [] },
  { name: 'NUL in a bulk payload is data', input: '*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n', commands: [['ECHO', 'a\x00b']] },
  { name: 'NUL line grows too big', input: 'PING\x00' + 'x'.repeat(K) + '\r\n', commands: [], error: inlineBig },

  // Line length limits (64 KiB)
  { name: 'inline of 64 KiB without LF waits', input: 'x'.repeat(K), commands: [] },
  { name: 'inline over 64 KiB without LF', input: 'x'.repeat(K + 1), commands: [], error: inlineBig },
  { name: 'inline of 64 KiB + CR without LF', input: 'x'.repeat(K) + '\r', commands: [], error: inlineBig },
  { name: 'inline of 64 KiB - 1 + CRLF', input: 'x'.repeat(K - 1) + '\r\n', commands: [['x'.repeat(K - 1)]] },
  // Redis accepts this one when the LF arrives in the same read(): we refuse it however the bytes are split.
  { name: 'inline over 64 KiB with its LF', input: 'x'.repeat(K + 1) + '\n', commands: [], error: inlineBig, oracle: false },
  { name: 'command then a too big inline', input: 'PING\r\n' + 'x'.repeat(K + 1), commands: [PING], error: inlineBig },
  { name: 'count line of 64 KiB waits', input: '*' + '1'.repeat(K - 1), commands: [] },
  {
    name: 'count line over 64 KiB',
    input: '*' + '1'.repeat(K),
    commands: [],
    error: { code: 'MBULK_COUNT_TOO_BIG', reply: R.MBULK },
  },
  {
    name: 'bulk length line over 64 KiB',
    input: '*1\r\n$' + '1'.repeat(K),
    commands: [],
    error: { code: 'BULK_COUNT_TOO_BIG', reply: R.BULK },
  },
  { name: 'bulk length line of 64 KiB waits', input: '*1\r\n$' + '1'.repeat(K - 1), commands: [] },
  {
    name: 'small maxInlineBytes: inline',
    input: 'PING\r\nECHO 12345678\r\n',
    limits: { maxInlineBytes: 8 },
    commands: [PING],
    error: inlineBig,
    oracle: false,
  },
  {
    name: 'small maxInlineBytes: count line',
    input: '*000000001\r\n',
    limits: { maxInlineBytes: 8 },
    commands: [],
    error: { code: 'MBULK_COUNT_TOO_BIG', reply: R.MBULK },
    oracle: false,
  },

  // Before authentication (Redis with requirepass)
  { name: 'pre-auth: 10 arguments wait', input: '*10\r\n', auth: false, commands: [] },
  {
    name: 'pre-auth: 11 arguments',
    input: '*11\r\n$1\r\n',
    auth: false,
    commands: [],
    error: { code: 'UNAUTH_MULTIBULK_LENGTH', reply: R.UMBL },
  },
  { name: 'pre-auth: the general count check comes first', input: '*2147483648\r\n', auth: false, commands: [], error: iml },
  { name: 'pre-auth: 16384-byte bulk waits', input: '*1\r\n$16384\r\n', auth: false, commands: [] },
  {
    name: 'pre-auth: 16385-byte bulk',
    input: '*1\r\n$16385\r\n',
    auth: false,
    commands: [],
    error: { code: 'UNAUTH_BULK_LENGTH', reply: R.UBL },
  },
  { name: 'pre-auth: the general bulk check comes first', input: '*1\r\n$536870913\r\n', auth: false, commands: [], error: ibl },
  { name: 'pre-auth: beyond maxBulkBytes is invalid', input: '*1\r\n$2000000\r\n', auth: false, commands: [], error: ibl, oracle: false },
  { name: 'pre-auth: negative counts still ignored', input: '*-5\r\nPING\r\n', auth: false, commands: [PING] },
  {
    name: 'pre-auth: inline has no argument limit',
    input: 'ECHO a b c d e f g h i j k l m\r\n',
    auth: false,
    commands: [['ECHO', ...'abcdefghijklm']],
  },
  {
    name: 'pre-auth: a whole 16384-byte bulk',
    input: '*2\r\n$4\r\nECHO\r\n$16384\r\n' + 'z'.repeat(16384) + '\r\n',
    auth: false,
    commands: [['ECHO', 'z'.repeat(16384)]],
  },
];
