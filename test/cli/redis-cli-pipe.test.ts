// `redis-cli --pipe` (mass insertion): a file of raw RESP commands, a login and many sends, against
// the real `imsim serve` process and against the split deployment (connection + logic process over
// Redis). redis-cli ends the stream with ECHO of 20 random bytes and waits for exactly those bytes
// back before it prints "errors: E, replies: R".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { spawnServe, type ServeProcess } from '../helpers/imsim-serve';
import { useRedisServer } from '../helpers/redis-server';
import { respCommands, runTool } from '../helpers/run-tool';
import { startSplitDeployment, type SplitDeployment } from '../helpers/split-deployment';

const redis = useRedisServer();
let serve: ServeProcess;
let split: SplitDeployment;
beforeAll(async () => {
  serve = await spawnServe();
  split = await startSplitDeployment(redis.server.url, 'pipe:');
});
afterAll(async () => {
  await split?.close();
  await serve?.stop();
});

const N = 500;
const sends = (from: string, to: string) =>
  Array.from({ length: N }, (_, i) => ['send', to, `${from}-${i}`, `message ${i} from ${from}`]);

function pipe(port: number, file: Buffer, extra: string[] = []) {
  return runTool('redis-cli', ['-p', String(port), ...extra, '--pipe'], { input: file, timeoutMs: 15_000 });
}

/** The summary line; redis-cli prints it last. */
const summary = (out: string) => /errors: (\d+), replies: (\d+)/.exec(out)?.slice(1).map(Number);

describe.each([
  ['imsim serve', () => serve.port],
  ['the split deployment', () => split.port],
])('redis-cli --pipe against %s', (_name, port) => {
  it('logs in and sends from the file: every reply arrives, no errors', async () => {
    const file = respCommands([['AUTH', 'pia', makeToken('pia')], ...sends('pia', 'quinn'), ['msg-sync', '0'] /* pia's own mailbox: empty; a cursor past its end would be answered -RESET */]);
    const r = await pipe(port(), file);
    expect(r.killed).toBe(false);
    expect(r.stdout).toContain('Last reply received from server.');
    expect(summary(r.stdout)).toEqual([0, N + 2]);
    expect(r.code).toBe(0);
    // all were stored, in order: quinn's newest version is N, holding the last one sent
    const last = await runTool('redis-cli', ['-p', String(port()), '--user', 'quinn', '--pass', makeToken('quinn'), '--no-auth-warning', 'msg-sync', String(N - 1)]);
    expect(last.stdout).toBe(`msg\nv\n${N}\npia\npia-${N - 1}\nmessage ${N - 1} from pia\n`);
  });

  it('logs in with --user/--pass instead; a retried cmid is stored once', async () => {
    const file = respCommands([...sends('rui', 'sam'), ...sends('rui', 'sam').slice(0, 10)]);
    const r = await pipe(port(), file, ['--user', 'rui', '--pass', makeToken('rui'), '--no-auth-warning']);
    expect(summary(r.stdout)).toEqual([0, N + 10]);
    expect(r.code).toBe(0);
    const sam = (after: number) => runTool('redis-cli', ['-p', String(port()), '--user', 'sam', '--pass', makeToken('sam'), '--no-auth-warning', 'msg-sync', String(after)]);
    expect((await sam(N - 1)).stdout).toBe(`msg\nv\n${N}\nrui\nrui-${N - 1}\nmessage ${N - 1} from rui\n`);
    expect((await sam(N)).stdout).toBe('\n'); // an empty array: the 10 retries were not stored again
  });

  it('counts the error replies it got (a send before login)', async () => {
    const file = respCommands([['send', 'x', 'c', 'too early'], ['PING'], ['AUTH', 'tess', makeToken('tess')], ['send', 'x', 'c', 'now']]);
    const r = await pipe(port(), file);
    expect(r.stdout + r.stderr).toContain('NOAUTH Authentication required.');
    expect(summary(r.stdout)).toEqual([1, 4]);
    expect(r.code).toBe(1);
  });
});
