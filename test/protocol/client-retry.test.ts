// A send answered with an error that says "try again" (store away, logic layer unreachable, queue
// full) goes again while the client stays online, after the reconnect backoff, with the same cmid;
// an error no retry cures is reported and the message leaves the outbox.
import { describe, expect, it } from 'vitest';
import { ImClient, type ClientObserver, type ClientOptions } from '../../src/protocol/client';
import { reconnectDelay, sendAgain, type ReconnectPolicy } from '../../src/protocol/policies';
import type { Scheduler } from '../../src/ports';
import { World } from '../../src/sim/world';
import { ReplyError, RequestDecoder, SimpleString, encodeReply, type Reply } from '../../src/wire';

/** Timers by hand: advance() fires what is due, in time order. */
function manualScheduler() {
  let now = 0;
  let next = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sched: Scheduler = {
    now: () => now,
    setTimer: (d, fn) => (timers.set(++next, { at: now + d, fn }), next),
    clearTimer: (id) => void timers.delete(id),
  };
  const advance = (us: number) => {
    const end = now + us;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return { sched, advance, pending: () => timers.size };
}

/** The server half of one client connection, scripted by the test: it sees commands and answers them. */
function fakeServer(opts: Partial<ClientOptions> = {}) {
  const { sched, advance, pending } = manualScheduler();
  let decoder = new RequestDecoder();
  const received: string[][] = [];
  const events: string[] = [];
  const observer: ClientObserver = {
    acked: (cmid) => void events.push(`acked ${cmid}`),
    retrying: (cmid, error, delayUs) => void events.push(`retrying ${cmid} in ${delayUs}: ${error}`),
    rejected: (cmid, error) => void events.push(`rejected ${cmid}: ${error}`),
  };
  const client = new ImClient(
    { user: 'alice', token: 't', protocol: 'queue', incarnation: 'inc1', ...opts },
    {
      connect: () => {
        decoder = new RequestDecoder();
      },
      write: (bytes) => {
        decoder.push(bytes);
        for (let c = decoder.next(); c !== null; c = decoder.next()) received.push(c);
      },
      close: () => {},
    },
    sched,
    observer,
  );
  const answer = (r: Reply) => client.onData(encodeReply(r, true));
  const login = () => {
    client.start();
    client.onConnected();
    answer(new SimpleString('OK')); // HELLO
    expect(client.state).toBe('online');
  };
  const sends = () => received.filter((c) => c[0] === 'send');
  return { client, advance, pending, received, sends, events, answer, login };
}

const STORE_DOWN = 'ERR store unavailable (connect ECONNREFUSED); message not stored, send it again';
const exponential: ReconnectPolicy = { kind: 'exponential', baseUs: 1_000_000, maxUs: 16_000_000, jitter: 0 };

describe('ImClient: error replies to send', () => {
  it('store unavailable, then OK: the message goes again after the backoff with the same cmid and is acknowledged', () => {
    const s = fakeServer({ reconnect: exponential });
    s.login();
    const cmid = s.client.send('bob', 'hello');
    expect(s.sends()).toEqual([['send', 'bob', cmid, 'hello']]);
    s.answer(new ReplyError(STORE_DOWN));
    expect(s.events).toEqual([`retrying ${cmid} in 1000000: ${STORE_DOWN}`]);
    s.advance(999_999);
    expect(s.sends()).toHaveLength(1); // not before the backoff
    s.advance(1);
    expect(s.sends()).toEqual([['send', 'bob', cmid, 'hello'], ['send', 'bob', cmid, 'hello']]);
    s.answer(new SimpleString('OK'));
    expect(s.events.at(-1)).toBe(`acked ${cmid}`);
    expect(s.client.outbox.size).toBe(0);
    expect(s.client.stats).toMatchObject({ sendRetries: 1, sendsRejected: 0 });
    s.advance(60_000_000);
    expect(s.sends()).toHaveLength(2);
  });

  it('BUSY and "logic layer unreachable" back off as the reconnect policy does, attempt after attempt', () => {
    const s = fakeServer({ reconnect: exponential });
    s.login();
    const cmid = s.client.send('bob', 'hi');
    const errors = ['BUSY the logic layer queue is full, try again later', 'ERR logic layer unreachable (timeout); try again', 'BUSY the logic layer queue is full, try again later'];
    errors.forEach((e, attempt) => {
      s.answer(new ReplyError(e));
      const delay = reconnectDelay(exponential, attempt, { next: () => 0.5 });
      expect(s.events.at(-1)).toBe(`retrying ${cmid} in ${delay}: ${e}`);
      s.advance(delay);
      expect(s.sends()).toHaveLength(attempt + 2);
    });
    expect([1, 2, 4].map((n) => n * 1_000_000)).toEqual([0, 1, 2].map((a) => reconnectDelay(exponential, a, { next: () => 0 })));
    s.answer(new SimpleString('OK'));
    expect(s.client.outbox.size).toBe(0);
  });

  it('a final error is reported, the message leaves the outbox and is not sent again, not even at the next login', () => {
    const s = fakeServer();
    s.login();
    const bad = s.client.send('bob', 'x');
    const good = s.client.send('bob', 'y');
    s.answer(new ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value"));
    s.answer(new SimpleString('OK'));
    expect(s.events).toEqual([`rejected ${bad}: WRONGTYPE Operation against a key holding the wrong kind of value`, `acked ${good}`]);
    expect(s.client.outbox.size).toBe(0);
    s.advance(10_000_000);
    s.client.drop();
    s.advance(1_000_000); // reconnect
    s.client.onConnected();
    s.answer(new SimpleString('OK'));
    expect(s.sends()).toHaveLength(2);
    expect(s.client.stats.sendsRejected).toBe(1);
  });

  it('a disconnect cancels the retry timer: the next login sends the outbox once, and nothing more after', () => {
    const s = fakeServer({ reconnect: { kind: 'fixed', delayUs: 500_000 } });
    s.login();
    const cmid = s.client.send('bob', 'z');
    s.answer(new ReplyError(STORE_DOWN)); // retry in 0.5 s
    s.client.drop(); // reconnect in 0.5 s too
    expect(s.pending()).toBe(1); // only the reconnect timer is left
    s.advance(500_000);
    expect(s.client.state).toBe('connecting');
    s.client.onConnected();
    s.answer(new SimpleString('OK')); // HELLO
    expect(s.sends()).toEqual([['send', 'bob', cmid, 'z'], ['send', 'bob', cmid, 'z']]);
    s.advance(5_000_000);
    expect(s.sends()).toHaveLength(2);
    s.answer(new SimpleString('OK'));
    expect(s.events.at(-1)).toBe(`acked ${cmid}`);
  });

  it("with reconnect 'never' a retry still happens, backing off exponentially", () => {
    const s = fakeServer({ reconnect: 'never', random: { next: () => 0 } });
    s.login();
    s.client.send('bob', 'z');
    for (const [n, delay] of [500_000, 1_000_000, 2_000_000, 4_000_000].entries()) {
      s.answer(new ReplyError("ERR bob's mailbox is full (50 messages not yet acknowledged); message not stored, send it again later"));
      s.advance(delay - 1);
      expect(s.sends()).toHaveLength(n + 1);
      s.advance(1);
      expect(s.sends()).toHaveLength(n + 2);
    }
  });

  it('tells "send again" errors from final ones', () => {
    for (const e of [STORE_DOWN, 'ERR store unavailable (x); try again', 'ERR logic layer unreachable (gone); try again',
      'BUSY the logic layer queue is full, try again later', 'TIMEOUT the request waited 900 ms in the logic queue',
      'TRYAGAIN slot migrating', 'LOADING Redis is loading the dataset in memory', 'busy'])
      expect(sendAgain(e), e).toBe(true);
    for (const e of ['WRONGTYPE Operation against a key holding the wrong kind of value', "ERR wrong number of arguments for 'send' command",
      "ERR 'send' belongs to the other delivery protocol; this server runs the queue protocol", 'NOAUTH Authentication required.',
      'ERR cmid alice-d1-x-1 was already used for another message', 'ERR again and again',
      'ERR message body is 70000 bytes, over the 65536-byte limit: send media over HTTP (POST /media) and its reference media:<type>:<sha256 hex> as the body'])
      expect(sendAgain(e), e).toBe(false);
  });
});

describe('World: a full logic queue answers BUSY', () => {
  it('the client sends the refused messages again while online: all delivered, none lost, no drop needed', () => {
    const w = new World({ protocol: 'versioned', seed: 3, logic: { workers: 1, queueLimit: 3, service: { default: { dist: 'det', mean: 0.01 } } } });
    const alice = w.addClient('alice');
    const bob = w.addClient('bob');
    alice.start();
    bob.start();
    w.runUntil(() => alice.state === 'online' && bob.state === 'online', undefined, 'online');
    for (let i = 0; i < 20; i++) w.send('alice', 'bob', `m${i}`);
    w.runFor(30_000_000);
    expect(w.logicModel!.stats.refused).toBeGreaterThan(0);
    expect(alice.stats.sendRetries).toBeGreaterThanOrEqual(w.logicModel!.stats.refused);
    expect(alice.stats.connects).toBe(1); // no reconnect did it
    expect(alice.outbox.size).toBe(0);
    expect(w.ledger.summary()).toMatchObject({ sent: 20, acked: 20, applied: 20, lost: 0, duplicates: 0 });
  });
});
