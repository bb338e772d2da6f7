// RESP request decoding speed: our RequestDecoder against redis-parser (node-redis/ioredis's parser) on the same
// byte stream and the same 16 KiB chunks. The stream is what an IM connection layer receives: heartbeats, sync
// requests, small sends and a few 1 KiB messages, all as multibulk (what real clients send).
import Parser = require('redis-parser');
import { RequestDecoder, encodeCommand } from '../src/wire';

const COMMANDS = 200_000;
const CHUNK = 16 * 1024;
const ROUNDS = 7;

function stream(): { chunks: Buffer[]; bytes: number } {
  const parts: Buffer[] = [];
  const big = 'm'.repeat(1024);
  for (let i = 0; i < COMMANDS; i++) {
    const k = i % 20;
    if (k < 8) parts.push(encodeCommand(['PING']));
    else if (k < 14) parts.push(encodeCommand(['msg-sync', String(100000 + i)]));
    else if (k < 19) parts.push(encodeCommand(['send', 'bob', `c-${i}`, 'hello world, how are you today?']));
    else parts.push(encodeCommand(['send', 'carol', `c-${i}`, big]));
  }
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, i + CHUNK));
  return { chunks, bytes: all.length };
}

function runImsim(chunks: Buffer[]): number {
  const d = new RequestDecoder();
  d.authenticated = true;
  let n = 0;
  for (const c of chunks) {
    d.push(c);
    while (d.next() !== null) n++;
  }
  return n;
}

function runRedisParser(chunks: Buffer[]): number {
  let n = 0;
  const p = new Parser({
    returnReply: () => {
      n++;
    },
    returnError: (e) => {
      throw e;
    },
    returnBuffers: false,
  });
  for (const c of chunks) p.execute(c);
  return n;
}

function time(run: () => number): number {
  const t0 = process.hrtime.bigint();
  const n = run();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (n !== COMMANDS) throw new Error(`decoded ${n} commands, expected ${COMMANDS}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mops = (ms: number) => (COMMANDS / ms / 1000).toFixed(2);

export async function benchResp(): Promise<void> {
  const { chunks, bytes } = stream();
  const ours: number[] = [];
  const theirs: number[] = [];
  // Warm up both, then interleave rounds so drift (GC, CPU frequency) hits both alike.
  time(() => runImsim(chunks));
  time(() => runRedisParser(chunks));
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(time(() => runImsim(chunks)));
    theirs.push(time(() => runRedisParser(chunks)));
  }
  const a = median(ours);
  const b = median(theirs);
  const mb = (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `resp decode: imsim ${mops(a)} M cmd/s, redis-parser ${mops(b)} M cmd/s, ratio ${(b / a).toFixed(2)}x ` +
      `(median of ${ROUNDS}, ${COMMANDS} commands, ${mb} MiB in ${CHUNK / 1024} KiB chunks)`,
  );
  console.log(
    `resp decode best: imsim ${mops(Math.min(...ours))} M cmd/s, redis-parser ${mops(Math.min(...theirs))} M cmd/s`,
  );
}
