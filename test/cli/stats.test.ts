// `stats` over RESP with a real redis-cli against a real `imsim serve`: the deck's metric names,
// numbers that follow what the clients did.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { spawnServe, type ServeProcess } from '../helpers/imsim-serve';

let server: ServeProcess;
beforeAll(async () => {
  server = await spawnServe();
});
afterAll(async () => {
  await server.stop();
});

function cli(args: string[], input?: string): string {
  const r = spawnSync('redis-cli', ['-p', String(server.port), ...args], { input, encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return r.stdout;
}
const as = (user: string) => ['--user', user, '--pass', makeToken(user), '--no-auth-warning'];

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

describe('redis-cli stats', () => {
  it('reports the deck\'s metrics under their names, section by section', () => {
    const all = cli(['stats']);
    for (const name of ['cmd', 'htime', 'cmdq', 'error', 'cmd_sum', 'htime_sum', 'cmdq_sum', 'error_sum', 'tot-ses', 'iop-ses',
      'p-ses', 'session', 'ios', 'eios', 'android', 'wp', 'text_total', 'image_total']) {
      expect(field(all, name), name).toMatch(/^\d+(\.\d+)?$/);
    }
    expect(field(all, 'htime_timeout_ms')).toBe('500');
    expect(cli(['stats', 'platforms']).trim().split('\n').map((l) => l.trim())).toEqual(['# Platforms', 'ios:0', 'eios:0', 'android:1', 'wp:0']);
  });

  it('follows what clients do: a logged-in ios client, messages sent, an error', () => {
    // one redis-cli session: declare the platform, send two messages (one a retry), make an error, read stats
    const out = cli([...as('alice'), '-3'], [
      'client setinfo platform ios',
      'send bob c-1 hi',
      'send bob c-1 hi',
      'send bob c-2 "media:image/png:' + 'ab'.repeat(32) + '"',
      'nosuch',
      'stats sessions platforms totals',
    ].join('\n') + '\n');
    expect(field(out, 'session')).toBe('1');
    expect(field(out, 'ios')).toBe('1');
    expect(field(out, 'android')).toBe('0');
    expect(field(out, 'text_total')).toBe('1');
    expect(field(out, 'image_total')).toBe('1');
    expect(Number(field(out, 'error_total'))).toBeGreaterThanOrEqual(1);
    // that session is gone now
    expect(field(cli(['stats', 'sessions']), 'session')).toBe('0');
  });
});
