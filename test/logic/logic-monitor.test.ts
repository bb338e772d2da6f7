// The logic layer counts each stored message once, as text or image (a reference to media sent over HTTP).
import { describe, expect, it } from 'vitest';
import { delayedStore } from '../../src/logic/delayed-store';
import { LogicLayer } from '../../src/logic/logic-layer';
import { MemoryStore } from '../../src/logic/memory-store';
import { Monitor } from '../../src/monitor';
import { mediaRef, parseMediaRef } from '../../src/protocol/messages';
import { makeToken } from '../../src/protocol/token';
import { Kernel } from '../../src/sim/kernel';

const ID = 'ab'.repeat(32);

describe('LogicLayer message statistics', () => {
  it('counts stored messages by kind; a retried send (same cmid) is not counted again', () => {
    const k = new Kernel({ seed: 1 });
    const sched = { now: () => k.now, setTimer: (d: number, fn: () => void) => k.schedule(d, fn), clearTimer: (id: number) => void k.cancel(id) };
    const monitor = new Monitor();
    const logic = new LogicLayer(delayedStore(new MemoryStore(), sched, 10), () => {}, { protocol: 'versioned', monitor, clock: sched });
    logic.handle({ k: 'login', gw: 0, conn: 1, req: 0, user: 'alice', token: makeToken('alice') });
    const send = (req: number, cmid: string, body: string) => logic.handle({ k: 'cmd', gw: 0, conn: 1, req, user: 'alice', args: ['send', 'bob', cmid, body] });
    send(1, 'c1', 'hello');
    send(2, 'c2', mediaRef('image/png', ID));
    send(3, 'c3', mediaRef('audio/amr', ID)); // voice is media too: the deck's table has text and image
    send(4, 'c1', 'hello'); // retry
    send(5, 'c4', `media:image/png:${ID.slice(1)}`); // not a reference: text
    k.run({ until: 1000 });
    expect([monitor.messageTotal('text'), monitor.messageTotal('image')]).toEqual([2, 2]);
  });

  it('media references are strict: type/subtype and 64 hex digits', () => {
    expect(parseMediaRef(mediaRef('image/jpeg', ID))).toEqual({ type: 'image/jpeg', id: ID });
    expect(parseMediaRef('media:image/png:' + ID + ' ')).toBeNull();
    expect(parseMediaRef('hello')).toBeNull();
    expect(() => mediaRef('png', ID)).toThrow(RangeError);
    expect(() => new LogicLayer(delayedStore(new MemoryStore(), { now: () => 0, setTimer: () => 0, clearTimer: () => {} }, 0), () => {}, { protocol: 'queue', monitor: new Monitor() })).toThrow(/clock/);
  });
});
