// The store contract: what every StorePort (the embedded store, the Redis store) must do, as a suite
// that each store's test file runs with its own factory. Mailbox semantics are those of the deck:
// a per-user INCR id, retried sends stored once, ranges after an id, queue acks, versioned trimming.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProtocolName } from '../../src/protocol/messages';
import { PROTOCOLS } from '../../src/protocol/messages';
import type { StoreOp, StorePort, StoreResult } from '../../src/logic/store';

export interface StoreUnderTest {
  port: StorePort;
  close?(): Promise<void>;
}

/** Makes a fresh, empty store (its own keys, for a shared Redis). */
export type StoreFactory = (opts: { maxHistory?: number; maxQueued?: number }) => Promise<StoreUnderTest>;

/** exec() as a promise; fails the test if `done` runs synchronously inside exec(). */
export function run<O extends StoreOp>(port: StorePort, op: O): Promise<StoreResult<O>> {
  return new Promise((resolve, reject) => {
    let returned = false;
    port.exec(op, (r) => (returned ? resolve(r) : reject(new Error(`${op.op}: done ran inside exec()`))));
    returned = true;
  });
}

/** Strings that break naive encodings: separators, quotes, escapes, line ends, NUL, JSON, non-BMP text. */
export const AWKWARD = [
  '', ' ', 'a:b', '[1,"x"]', '"', '\\', '\\"', '\r\n', '\n', '\0', 'tab\there', '{bob}', '}{', '%7B', ',', ']',
  'héllo wörld', '你好，陌陌', '😀 emoji', '\u2028\u2029', 'x'.repeat(5000),
];

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const open: StoreUnderTest[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close?.();
    });
    const fresh = async (opts: { maxHistory?: number; maxQueued?: number } = {}): Promise<StorePort> => {
      const s = await factory(opts);
      open.push(s);
      return s.port;
    };
    const append = (p: StorePort, mode: ProtocolName, user: string, cmid: string, from = 'alice', body = `body ${cmid}`) =>
      run(p, { op: 'append', mode, user, from, cmid, body });
    const range = (p: StorePort, mode: ProtocolName, user: string, after: number, limit = 100) =>
      run(p, { op: 'range', mode, user, after, limit });
    const ids = async (p: StorePort, mode: ProtocolName, user: string, after = 0, limit = 100) =>
      (await range(p, mode, user, after, limit)).msgs.map((m) => m.id);

    describe.each(PROTOCOLS)('%s protocol', (mode) => {
      it('gives each recipient its own INCR sequence', async () => {
        const p = await fresh();
        expect(await append(p, mode, 'bob', 'c1')).toMatchObject({ id: 1 });
        expect(await append(p, mode, 'bob', 'c2')).toMatchObject({ id: 2 });
        expect(await append(p, mode, 'carol', 'c3')).toMatchObject({ id: 1 });
        expect(await append(p, mode, 'bob', 'c4')).toMatchObject({ id: 3 });
      });

      it('stores a retried send (same sender, recipient, cmid) once and answers its original id', async () => {
        const p = await fresh();
        expect(await append(p, mode, 'bob', 'c1')).toEqual({ id: 1, dup: false });
        expect(await append(p, mode, 'bob', 'c2')).toEqual({ id: 2, dup: false });
        expect(await append(p, mode, 'bob', 'c1')).toEqual({ id: 1, dup: true });
        expect(await ids(p, mode, 'bob')).toEqual([1, 2]);
        // the same cmid to another recipient, or from another sender, is another message
        expect(await append(p, mode, 'carol', 'c1')).toEqual({ id: 1, dup: false });
        expect(await append(p, mode, 'bob', 'c1', 'dave')).toEqual({ id: 3, dup: false });
        expect((await range(p, mode, 'bob', 0)).msgs[0].body).toBe('body c1');
      });

      it('refuses a cmid reused for another body (a client bug), storing nothing and keeping the first', async () => {
        const p = await fresh();
        expect(await append(p, mode, 'bob', 'c1', 'alice', 'first')).toEqual({ id: 1, dup: false });
        expect(await append(p, mode, 'bob', 'c1', 'alice', 'second')).toEqual({ refused: 'cmid-reused', id: 1 });
        expect(await append(p, mode, 'bob', 'c1', 'alice', 'first ')).toEqual({ refused: 'cmid-reused', id: 1 });
        expect(await append(p, mode, 'bob', 'c1', 'alice', 'first')).toEqual({ id: 1, dup: true }); // a true retry
        const r = await range(p, mode, 'bob', 0);
        expect(r.msgs.map((m) => m.body)).toEqual(['first']);
        expect(r.latest).toBe(1);
        // bodies that differ only beyond what a careless encoding would compare
        expect(await append(p, mode, 'bob', 'c2', 'alice', '😀'.repeat(3000))).toEqual({ id: 2, dup: false });
        expect(await append(p, mode, 'bob', 'c2', 'alice', '😀'.repeat(2999) + '😁')).toEqual({ refused: 'cmid-reused', id: 2 });
      });

      it('ranges after an id, oldest first, at most limit, with latest and oldest', async () => {
        const p = await fresh();
        for (let i = 1; i <= 10; i++) await append(p, mode, 'bob', `c${i}`);
        const r = await range(p, mode, 'bob', 3, 4);
        expect(r.msgs).toEqual([4, 5, 6, 7].map((id) => ({ id, from: 'alice', cmid: `c${id}`, body: `body c${id}` })));
        expect(r.latest).toBe(10);
        expect(r.oldest).toBe(1);
        expect(await range(p, mode, 'bob', 10, 4)).toEqual({ msgs: [], latest: 10, oldest: 1 });
        expect(await range(p, mode, 'bob', 99, 4)).toEqual({ msgs: [], latest: 10, oldest: 1 });
        expect(await ids(p, mode, 'bob', 0, 0)).toEqual([]);
        expect(await ids(p, mode, 'bob', 8, Number.MAX_SAFE_INTEGER)).toEqual([9, 10]);
      });

      it('answers latest 0, oldest 0 for a user never written to', async () => {
        const p = await fresh();
        expect(await range(p, mode, 'nobody', 0, 4)).toEqual({ msgs: [], latest: 0, oldest: 0 });
      });

      it('keeps any text exactly: bodies, senders, client ids and user names', async () => {
        const p = await fresh();
        const sent = AWKWARD.map((s, i) => ({ from: `from ${s}`, cmid: `${s}#${i}`, body: s }));
        for (const m of sent) await append(p, mode, '{we}ird:user%', m.cmid, m.from, m.body);
        const r = await range(p, mode, '{we}ird:user%', 0, 1000);
        expect(r.msgs).toEqual(sent.map((m, i) => ({ id: i + 1, ...m })));
        // a user whose name only differs in the characters a key encoding might escape is another mailbox
        expect(await range(p, mode, '%7Bwe%7Dird:user%25', 0, 10)).toEqual({ msgs: [], latest: 0, oldest: 0 });
        expect(await range(p, mode, '{we}ird', 0, 10)).toEqual({ msgs: [], latest: 0, oldest: 0 });
      });

      it('never answers inside exec()', async () => {
        const p = await fresh();
        // run() rejects if `done` is called before exec() returned
        await expect(append(p, mode, 'bob', 'c1')).resolves.toEqual({ id: 1, dup: false });
        await expect(range(p, mode, 'bob', 0)).resolves.toMatchObject({ latest: 1 });
      });
    });

    describe('queue protocol: acknowledgements', () => {
      it('deletes acknowledged entries only, counting each once', async () => {
        const p = await fresh();
        for (let i = 1; i <= 5; i++) await append(p, 'queue', 'bob', `c${i}`);
        expect(await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [2, 4, 4, 99] })).toEqual({ removed: 2 });
        expect(await ids(p, 'queue', 'bob')).toEqual([1, 3, 5]);
        expect(await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [2] })).toEqual({ removed: 0 });
        expect(await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [] })).toEqual({ removed: 0 });
        expect(await run(p, { op: 'ack', mode: 'queue', user: 'nobody', ids: [1] })).toEqual({ removed: 0 });
      });

      it('ranges over the gaps acks leave, and reports the oldest id still waiting', async () => {
        const p = await fresh();
        for (let i = 1; i <= 10; i++) await append(p, 'queue', 'bob', `c${i}`);
        await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [1, 2, 3, 5, 8] });
        expect(await ids(p, 'queue', 'bob', 0)).toEqual([4, 6, 7, 9, 10]);
        expect(await ids(p, 'queue', 'bob', 4, 2)).toEqual([6, 7]);
        expect(await ids(p, 'queue', 'bob', 5, 2)).toEqual([6, 7]);
        expect(await ids(p, 'queue', 'bob', 8, 100)).toEqual([9, 10]);
        expect((await range(p, 'queue', 'bob', 0)).oldest).toBe(4);
        await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [4, 6, 7, 9, 10] });
        expect(await range(p, 'queue', 'bob', 0)).toEqual({ msgs: [], latest: 10, oldest: 11 });
      });

      it('acknowledges across a long List (more than one page of the scan)', async () => {
        const p = await fresh();
        for (let i = 1; i <= 300; i++) await append(p, 'queue', 'bob', `c${i}`);
        const odd = Array.from({ length: 150 }, (_, i) => 2 * i + 1);
        expect(await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [...odd].reverse() })).toEqual({ removed: 150 });
        const left = await ids(p, 'queue', 'bob', 0, 1000);
        expect(left).toEqual(Array.from({ length: 150 }, (_, i) => 2 * i + 2));
        expect(await ids(p, 'queue', 'bob', 255, 3)).toEqual([256, 258, 260]);
      });

      it('refuses a send once the List holds maxQueued unacknowledged messages, never trimming one', async () => {
        const p = await fresh({ maxQueued: 3, maxHistory: 1 }); // maxHistory is the versioned history: not for queues
        for (let i = 1; i <= 3; i++) expect(await append(p, 'queue', 'bob', `c${i}`)).toEqual({ id: i, dup: false });
        expect(await append(p, 'queue', 'bob', 'c4')).toEqual({ refused: 'full', cap: 3 });
        expect(await ids(p, 'queue', 'bob')).toEqual([1, 2, 3]); // the oldest unacknowledged one is kept
        // a retried send of a message already stored is still answered with its id
        expect(await append(p, 'queue', 'bob', 'c2')).toEqual({ id: 2, dup: true });
        // a refused send took no id and is no duplicate: once acknowledged ones leave, it is stored
        expect(await append(p, 'queue', 'carol', 'c4')).toEqual({ id: 1, dup: false });
        await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [1] });
        expect(await append(p, 'queue', 'bob', 'c4')).toEqual({ id: 4, dup: false });
        expect(await ids(p, 'queue', 'bob')).toEqual([2, 3, 4]);
      });

      it('still knows a retried send after its message was acknowledged', async () => {
        const p = await fresh();
        await append(p, 'queue', 'bob', 'c1');
        await run(p, { op: 'ack', mode: 'queue', user: 'bob', ids: [1] });
        expect(await append(p, 'queue', 'bob', 'c1')).toEqual({ id: 1, dup: true });
        expect(await ids(p, 'queue', 'bob')).toEqual([]);
      });
    });

    it('refuses a mailbox cap below 1 (maxHistory 0 would trim everything, maxQueued 0 refuse everything)', async () => {
      await expect(factory({ maxHistory: 0 })).rejects.toThrow(/maxHistory must be a whole number in \[1, /);
      await expect(factory({ maxQueued: 0 })).rejects.toThrow(RangeError);
      await expect(factory({ maxHistory: 2.5 })).rejects.toThrow(RangeError);
    });

    describe('versioned protocol: history', () => {
      it('trims history beyond maxHistory and reports the oldest version kept', async () => {
        const p = await fresh({ maxHistory: 3 });
        for (let i = 1; i <= 5; i++) await append(p, 'versioned', 'bob', `c${i}`);
        const r = await range(p, 'versioned', 'bob', 0, 10);
        expect(r.msgs.map((m) => m.id)).toEqual([3, 4, 5]);
        expect(r.oldest).toBe(3);
        expect(r.latest).toBe(5);
        // a retried send of a trimmed message is still known, and stays trimmed
        expect(await append(p, 'versioned', 'bob', 'c1')).toEqual({ id: 1, dup: true });
        expect(await ids(p, 'versioned', 'bob')).toEqual([3, 4, 5]);
      });

      it('keeps the latest version with maxHistory 1, so a sync from before it is behind, never empty', async () => {
        const p = await fresh({ maxHistory: 1 });
        for (let i = 1; i <= 3; i++) await append(p, 'versioned', 'bob', `c${i}`);
        expect(await range(p, 'versioned', 'bob', 0, 10)).toMatchObject({ latest: 3, oldest: 3 });
        expect(await ids(p, 'versioned', 'bob', 2)).toEqual([3]);
      });
    });
  });
}
