import { describe, expect, it } from 'vitest';
import {
  ChunkWriter,
  Push,
  Reply,
  ReplyError,
  RespMap,
  SimpleString,
  encodeCommand,
  encodeReply,
  writeReply,
} from '../../src/wire';

const s = (b: Buffer) => b.toString('latin1');
const utf8 = (t: string) => Buffer.from(t).toString('latin1');

describe('encodeCommand', () => {
  it('writes a multibulk of bulk strings with UTF-8 byte lengths', () => {
    expect(s(encodeCommand(['SET', 'k', 'vé']))).toBe(utf8('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n'));
    expect(s(encodeCommand([]))).toBe('*0\r\n');
    expect(s(encodeCommand(['']))).toBe('*1\r\n$0\r\n\r\n');
    const long = 'x'.repeat(12345);
    expect(s(encodeCommand(['ECHO', long]))).toBe(`*2\r\n$4\r\nECHO\r\n$12345\r\n${long}\r\n`);
  });
});

// [value, RESP2 bytes, RESP3 bytes]
const TABLE: Array<[string, Reply, string, string]> = [
  ['bulk string', 'hi', '$2\r\nhi\r\n', '$2\r\nhi\r\n'],
  ['UTF-8 bulk', '你', utf8('$3\r\n你\r\n'), utf8('$3\r\n你\r\n')],
  ['empty string', '', '$0\r\n\r\n', '$0\r\n\r\n'],
  ['status', new SimpleString('OK'), '+OK\r\n', '+OK\r\n'],
  ['status with newlines', new SimpleString('a\r\nb'), '+a  b\r\n', '+a  b\r\n'],
  ['error', new ReplyError('ERR x'), '-ERR x\r\n', '-ERR x\r\n'],
  ['error with newlines (Redis maps them to spaces)', new ReplyError('ERR a\nb'), '-ERR a b\r\n', '-ERR a b\r\n'],
  ['integer', 42, ':42\r\n', ':42\r\n'],
  ['negative integer', -1, ':-1\r\n', ':-1\r\n'],
  ['integer above 2^53', 2 ** 60, ':1152921504606846976\r\n', ':1152921504606846976\r\n'],
  ['double', 1.5, '$3\r\n1.5\r\n', ',1.5\r\n'],
  ['double beyond int64', 1e21, '$5\r\n1e+21\r\n', ',1e+21\r\n'],
  ['infinity', -Infinity, '$4\r\n-inf\r\n', ',-inf\r\n'],
  ['NaN', NaN, '$3\r\nnan\r\n', ',nan\r\n'],
  ['null', null, '$-1\r\n', '_\r\n'],
  ['true', true, ':1\r\n', '#t\r\n'],
  ['false', false, ':0\r\n', '#f\r\n'],
  ['empty array', [], '*0\r\n', '*0\r\n'],
  ['array', ['a', 1, null], '*3\r\n$1\r\na\r\n:1\r\n$-1\r\n', '*3\r\n$1\r\na\r\n:1\r\n_\r\n'],
  [
    'push',
    new Push(['message', 'c', 'hi']),
    '*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n',
    '>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n',
  ],
  ['map', new RespMap([['a', 1]]), '*2\r\n$1\r\na\r\n:1\r\n', '%1\r\n$1\r\na\r\n:1\r\n'],
  ['nested', [new RespMap([]), [true]], '*2\r\n*0\r\n*1\r\n:1\r\n', '*2\r\n%0\r\n*1\r\n#t\r\n'],
];

describe('encodeReply', () => {
  for (const [name, value, resp2, resp3] of TABLE) {
    it(name, () => {
      expect(s(encodeReply(value))).toBe(resp2);
      expect(s(encodeReply(value, false))).toBe(resp2);
      expect(s(encodeReply(value, true))).toBe(resp3);
    });
  }

  it('refuses values that are not replies, and recovers', () => {
    expect(() => encodeReply(undefined as unknown as Reply)).toThrow(TypeError);
    expect(() => encodeReply(['ok', {} as unknown as Reply])).toThrow(TypeError);
    expect(s(encodeReply('ok'))).toBe('$2\r\nok\r\n');
  });

  it('never hands out bytes it later overwrites', () => {
    const taken = Array.from({ length: 3000 }, (_, i) => encodeReply(`reply-${i}`));
    taken.forEach((b, i) => expect(s(b)).toBe(`$${`reply-${i}`.length}\r\nreply-${i}\r\n`));
  });
});

describe('ChunkWriter', () => {
  it('batches many replies into one buffer', () => {
    const w = new ChunkWriter();
    writeReply(w, new SimpleString('OK'));
    writeReply(w, 7);
    writeReply(w, new Push(['p']), true);
    expect(w.length).toBe(5 + 4 + 11);
    expect(s(w.take())).toBe('+OK\r\n:7\r\n>1\r\n$1\r\np\r\n');
    expect(w.length).toBe(0);
    expect(w.take().length).toBe(0);
  });

  it('keeps taken chunks intact while growing and reusing its slab', () => {
    const w = new ChunkWriter(64);
    const got: Buffer[] = [];
    const want: string[] = [];
    let pending = '';
    for (let i = 0; i < 500; i++) {
      const v = 'v'.repeat(i % 70);
      writeReply(w, v);
      pending += `$${v.length}\r\n${v}\r\n`;
      if (i % 3 === 0) {
        got.push(w.take());
        want.push(pending);
        pending = '';
      }
    }
    got.push(w.take());
    want.push(pending);
    expect(got.map(s)).toEqual(want);
  });
});
