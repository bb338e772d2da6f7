// `imsim serve --slow-consumer / --output-buffer` from the built CLI: what it says it does, where it
// counts (redis-cli stats slow-consumers, /metrics), and clear errors for combinations that mean nothing.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, spawnServe, type ServeProcess } from '../helpers/imsim-serve';

function imsim(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let server: ServeProcess;
beforeAll(async () => {
  server = await spawnServe(['--slow-consumer', 'drop-oldest', '--output-buffer', '4096', '--http', '0']);
});
afterAll(async () => {
  await server.stop();
});

describe('imsim serve --slow-consumer', () => {
  it('says which policy runs, counts in `stats slow-consumers` (not in the deck\'s default sections) and on /metrics', async () => {
    expect(server.output()).toContain('slow consumers: drop-oldest beyond 4096 B of pushes held per connection');
    const cli = (...a: string[]) => spawnSync('redis-cli', ['-p', String(server.port), ...a], { encoding: 'utf8', timeout: 10_000 }).stdout;
    expect(cli('stats', 'slow-consumers').trim().split('\n').map((l) => l.trim()))
      .toEqual(['# Slow-consumers', 'slow_consumer_pushes_dropped_total:0', 'slow_consumer_disconnects_total:0']);
    expect(cli('stats')).not.toContain('slow_consumer');
    const metrics = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
    expect(metrics).toContain('imsim_slow_consumer_pushes_dropped_total{server="0"} 0');
    expect(metrics).toContain('imsim_slow_consumer_disconnects_total{server="0"} 0');
  });

  it('--help explains the policies and why a bound fits the long connection', () => {
    const r = imsim(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/--slow-consumer <string> +pushes for a client that cannot keep up/);
    expect(r.out).toContain('the long connection\ncarries light real-time data only');
    for (const p of ['drop-newest', 'drop-oldest', 'disconnect']) expect(r.out).toMatch(new RegExp(`^  ${p} +`, 'm'));
  });

  it.each([
    [['--slow-consumer', 'drop-all'], "--slow-consumer must be one of unbounded, drop-newest, drop-oldest, disconnect; got 'drop-all'"],
    [['--output-buffer', '4096'], '--output-buffer bounds pushes under a policy: add --slow-consumer drop-newest|drop-oldest|disconnect'],
    [['--slow-consumer', 'disconnect', '--output-buffer', '-1'], '--output-buffer takes a whole number of bytes, 0 or more; got -1'],
    [['--role', 'logic', '--redis', 'redis://127.0.0.1:1', '--slow-consumer', 'disconnect'], 'use them with --role both or connection'],
  ])('refuses %j with a message that says what to do', (args, message) => {
    const r = imsim(['serve', '--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
