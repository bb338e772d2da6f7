// The scripted conversation of the walking skeleton: two users, a connection dropped in the
// middle, messages sent while one side is offline. Queue clients acknowledge every 3 messages, so
// the drop leaves received-but-unacknowledged messages behind: the queue protocol delivers them
// twice, the versioned protocol once.
import type { Harness } from './harness';

export const CONVERSATION_CLIENT = {
  reconnectDelayUs: -1, // the script reconnects explicitly, so both runtimes do it at the same step
  queue: { ackEvery: 3 },
} as const;

const bodies = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);

export async function conversation(h: Harness): Promise<void> {
  await h.login('alice', CONVERSATION_CLIENT);
  await h.login('bob', CONVERSATION_CLIENT);

  h.send('alice', 'bob', bodies('hi bob, message', 1, 5));
  await h.settle('bob has messages 1-5', () => h.ledger.receivedBy('bob').length >= 5);

  h.send('bob', 'alice', bodies('hi alice, reply', 1, 2));
  await h.settle('alice has both replies', () => h.ledger.receivedBy('alice').length >= 2);

  await h.drop('bob'); // bob walks into an elevator

  h.send('alice', 'bob', bodies('while you were away', 6, 10));
  await h.settle('all of alice\'s messages stored', () => h.ledger.summary().acked === 12);

  await h.reconnect('bob');
  await h.settle('bob caught up', () => new Set(h.ledger.receivedBy('bob')).size >= 10);

  h.send('bob', 'alice', bodies('back online, reply', 3, 4));
  await h.settle('alice has every reply', () => h.ledger.receivedBy('alice').length >= 4);
}
