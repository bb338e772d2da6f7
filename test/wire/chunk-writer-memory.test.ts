// What an idle connection's reply writer keeps: nothing of its own after a few small replies; a writer
// that keeps writing grows to whole slabs (few allocations on the hot path).
import { describe, expect, it } from 'vitest';
import { ChunkWriter, SimpleString, writeReply } from '../../src/wire';

describe('ChunkWriter memory', () => {
  it('small replies come from the shared pool and the writer keeps no buffer after take()', () => {
    const w = new ChunkWriter();
    writeReply(w, new SimpleString('PONG'), false);
    const out = w.take();
    expect(out.toString()).toBe('+PONG\r\n');
    expect(out.buffer.byteLength).toBeLessThan(16 * 1024); // a slice of Buffer's pool, not a slab of its own
    expect((w as unknown as { buf: Buffer }).buf.length).toBe(0);
  });

  it('a busy writer grows to its slab size', () => {
    const w = new ChunkWriter(16 * 1024);
    const sizes = new Set<number>();
    let taken = 0;
    for (let i = 1; i <= 2000; i++) {
      writeReply(w, 'x'.repeat(50), false);
      sizes.add((w as unknown as { buf: Buffer }).buf.length);
      if (i % 10 === 0) taken += w.take().length; // a server flushes after each batch
    }
    expect(Math.max(...sizes)).toBe(16 * 1024);
    expect(taken).toBe(2000 * 57);
  });
});
