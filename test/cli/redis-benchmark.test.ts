// redis-benchmark with its default settings (50 clients, its own handshake: AUTH pipelined with the
// first requests, CONFIG GET save / appendonly) against the real `imsim serve` process and against
// the split deployment: PING_MBULK and an imsim command, without and with pipelining (-P 16).
// Completion and request counts only: speed is measured by `npm run bench`, never asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { spawnServe, type ServeProcess } from '../helpers/imsim-serve';
import { useRedisServer } from '../helpers/redis-server';
import { runTool } from '../helpers/run-tool';
import { startSplitDeployment, type SplitDeployment } from '../helpers/split-deployment';

const redis = useRedisServer();
let serve: ServeProcess;
let split: SplitDeployment;
beforeAll(async () => {
  serve = await spawnServe();
  split = await startSplitDeployment(redis.server.url, 'bench:');
});
afterAll(async () => {
  await split?.close();
  await serve?.stop();
});

const N = 2000;

/** Runs redis-benchmark --csv; returns the rows by test name (requests per second as printed). */
async function bench(port: number, args: string[]) {
  const r = await runTool('redis-benchmark', ['-p', String(port), '-n', String(N), '--csv', ...args], { timeoutMs: 15_000 });
  const rows = new Map<string, number>();
  for (const line of r.stdout.trim().split('\n').slice(1)) {
    const [test, rps] = line.split(',').map((f) => f.replace(/"/g, ''));
    rows.set(test, Number(rps));
  }
  return { ...r, rows };
}

const login = (user: string) => ['--user', user, '-a', makeToken(user)];

function expectClean(r: Awaited<ReturnType<typeof bench>>, tests: string[]) {
  expect(r.killed).toBe(false);
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).not.toMatch(/error|NOAUTH|WRONGPASS/i);
  expect([...r.rows.keys()]).toEqual(tests);
  for (const t of tests) expect(r.rows.get(t)).toBeGreaterThan(0); // it finished all N requests of each
}

describe('redis-benchmark against imsim serve', () => {
  for (const pipeline of [[], ['-P', '16']]) {
    const label = pipeline.length ? 'with -P 16' : 'without pipelining';
    it(`-t ping (PING_INLINE, PING_MBULK) ${label}`, async () => {
      expectClean(await bench(serve.port, [...login('uma'), '-t', 'ping', ...pipeline]), ['PING_INLINE', 'PING_MBULK']);
    });
    it(`msg-sync 0 (an imsim command, logged in with --user/-a) ${label}`, async () => {
      expectClean(await bench(serve.port, [...login('uma'), ...pipeline, 'msg-sync', '0']), ['msg-sync 0']);
    });
  }

  it('send, 2000 times with one cmid from 50 connections at once: stored exactly once', async () => {
    const r = await bench(serve.port, [...login('vic'), '-P', '16', 'send', 'wen', 'c-1', 'hello']);
    expectClean(r, ['send wen c-1 hello']);
    const wen = (after: number) => runTool('redis-cli', ['-p', String(serve.port), '--user', 'wen', '--pass', makeToken('wen'), '--no-auth-warning', 'msg-sync', String(after)]);
    expect((await wen(0)).stdout).toBe('msg\nv\n1\nvic\nc-1\nhello\n');
    expect((await wen(1)).stdout).toBe('\n');
  });

  it('reports the server error when not logged in (the checks above would see it)', async () => {
    const r = await bench(serve.port, ['msg-sync', '0']);
    expect(r.stdout + r.stderr).toContain('NOAUTH Authentication required.');
  });
});

describe('redis-benchmark against the split deployment', () => {
  it('msg-sync 0 without and with -P 16', async () => {
    expectClean(await bench(split.port, [...login('xia'), 'msg-sync', '0']), ['msg-sync 0']);
    expectClean(await bench(split.port, [...login('xia'), '-P', '16', 'msg-sync', '0']), ['msg-sync 0']);
  });

  it('-t ping with -P 16', async () => {
    expectClean(await bench(split.port, [...login('xia'), '-t', 'ping', '-P', '16']), ['PING_INLINE', 'PING_MBULK']);
  });
});
