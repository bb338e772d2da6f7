// Writes in one turn of the event loop leave together: corked at the first, uncorked once after.
import type * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { batchedWrites } from '../../src/server/batched-writes';

function fakeSocket(log: string[], name: string) {
  let corked = 0;
  return {
    get writableCorked() { return corked; },
    cork: () => void (corked++, log.push(`${name} cork`)),
    uncork: () => void (corked--, log.push(`${name} uncork`)),
    write: (b: Uint8Array) => void log.push(`${name} ${Buffer.from(b).toString()}`),
  } as unknown as net.Socket;
}

describe('batchedWrites', () => {
  it('corks each socket once per turn and uncorks them all after it, keeping the order of writes', async () => {
    const log: string[] = [];
    const write = batchedWrites();
    const a = fakeSocket(log, 'a');
    const b = fakeSocket(log, 'b');
    write(a, Buffer.from('1'));
    write(b, Buffer.from('x'));
    write(a, Buffer.from('2'));
    expect(log).toEqual(['a cork', 'a 1', 'b cork', 'b x', 'a 2']);
    await new Promise((r) => process.nextTick(r));
    expect(log.slice(5)).toEqual(['a uncork', 'b uncork']);
    write(a, Buffer.from('3')); // a new turn corks again
    await new Promise((r) => process.nextTick(r));
    expect(log.slice(7)).toEqual(['a cork', 'a 3', 'a uncork']);
  });
});
