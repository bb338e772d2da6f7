// Up and Down messages cross Redis as JSON and come back as the same values (reply classes included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Down } from '../../../src/connection/layer-messages';
import { decodeDown, decodeUps, encodeDown, encodeUps } from '../../../src/server/split/cluster-messages';
import { Push, ReplyError, RespMap, SimpleString, type Reply } from '../../../src/wire';

const reply: fc.Arbitrary<Reply> = fc.letrec<{ r: Reply }>((tie) => ({
  r: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(), fc.integer(), fc.constant(null), fc.boolean(),
    fc.string().map((s) => new ReplyError(s)), fc.string().map((s) => new SimpleString(s)),
    fc.array(tie('r'), { maxLength: 4 }),
    fc.array(tie('r'), { maxLength: 3 }).map((items) => new Push(items)),
    fc.array(fc.tuple(tie('r'), tie('r')), { maxLength: 3 }).map((e) => new RespMap(e)),
  ),
})).r;

describe('cluster messages', () => {
  it('a reply comes back as the same values and classes', () => {
    fc.assert(fc.property(reply, (r) => {
      const d: Down = { k: 'reply', conn: 3, req: 7, reply: r };
      const back = decodeDown(encodeDown({ d }));
      expect(back).toEqual({ d });
      if (back && 'd' in back && back.d.k === 'reply' && r instanceof ReplyError) expect(back.d.reply).toBeInstanceOf(ReplyError);
    }), { numRuns: 300, seed: 5 });
  });

  it('pushes, login verdicts, drops and requests round-trip; junk is refused', () => {
    for (const d of [{ k: 'push', conn: 1, user: 'bob', items: ['msg-psh', '4'] }, { k: 'login', conn: 2, req: 0, user: 'a', ok: true }] as Down[]) {
      expect(decodeDown(encodeDown({ d }))).toEqual({ d });
    }
    expect(decodeDown(encodeDown({ drop: 9 }))).toEqual({ drop: 9 });
    expect(decodeDown(encodeDown({ pull: 4, user: 'bob' }))).toEqual({ pull: 4, user: 'bob' });
    expect(decodeDown('{"pull":"4","user":"bob"}')).toBeNull();
    expect(decodeDown('{"pull":4}')).toBeNull();
    const up = { k: 'cmd' as const, gw: 2, conn: 5, req: 1, user: 'alice', args: ['send', 'bob', 'c-1', 'a "quoted"\r\n body'] };
    const batch = [up, { ...up, req: 2 }, { k: 'closed' as const, gw: 2, conn: 5, user: 'alice' }];
    expect(decodeUps(encodeUps(batch))).toEqual(batch);
    expect(decodeUps('[{"k":"nope","gw":1,"conn":1}]')).toBeNull();
    expect(decodeUps('[]')).toBeNull();
    expect(decodeUps('not json')).toBeNull();
    expect(decodeDown('[')).toBeNull();
  });
});
