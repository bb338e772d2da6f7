// The scripted conversation of the walking skeleton: two users, a connection dropped in the
// middle, messages sent while one side is offline. Queue clients acknowledge every 3 messages, so
// the drop leaves received-but-unacknowledged messages behind: the queue protocol delivers them
// twice, the versioned protocol once.
//
// While both are online, messages go one at a time, each awaited: then every step's frames are
// fixed (push, sync, entries, fin) and do not depend on timing, so the simulator and real sockets
// can be compared frame by frame. (Sent in a burst, how many pushes one sync absorbs depends on
// timing: that is the protocol working, not a difference between runtimes.)
import type { Harness } from './harness';

export const CONVERSATION_CLIENT = {
  reconnect: 'never', // the script reconnects explicitly, so both runtimes do it at the same step
  // one fixed incarnation: both runtimes give the same cmids (<device>-c1-<n>), so their deliveries
  // compare message by message (each run is one incarnation against a fresh server)
  incarnation: 'c1',
  queue: { ackEvery: 3 },
} as const;

const bodies = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);

/** Sends one message at a time, each awaited until the recipient applied it. */
async function oneByOne(h: Harness, from: string, to: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    const before = h.ledger.receivedBy(to).length;
    h.send(from, to, [text]);
    await h.settle(`${to} has "${text}"`, () => h.ledger.receivedBy(to).length > before);
  }
}

export async function conversation(h: Harness): Promise<void> {
  await h.login('alice', CONVERSATION_CLIENT);
  await h.login('bob', CONVERSATION_CLIENT);
  await h.settle('both logged in and synced');

  await oneByOne(h, 'alice', 'bob', bodies('hi bob, message', 1, 5));
  await oneByOne(h, 'bob', 'alice', bodies('hi alice, reply', 1, 2));

  await h.drop('bob'); // bob walks into an elevator

  h.send('alice', 'bob', bodies('while you were away', 6, 10));
  await h.settle('all of alice\'s messages stored', () => h.ledger.summary().acked === 12);

  await h.reconnect('bob');
  await h.settle('bob caught up', () => new Set(h.ledger.receivedBy('bob')).size >= 10);

  await oneByOne(h, 'bob', 'alice', bodies('back online, reply', 3, 4));
}
