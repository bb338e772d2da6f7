// Media over HTTP with the clients people use: curl uploads a photo to `imsim serve --http`, redis-cli
// sends the reference on the long connection, the recipient reads it and curl downloads the photo.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { spawnServe, type ServeProcess } from '../helpers/imsim-serve';

let server: ServeProcess;
let dir: string;
beforeAll(async () => {
  server = await spawnServe(['--http', '0']);
  dir = mkdtempSync(join(tmpdir(), 'imsim-media-'));
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string, args: string[]): { out: string; code: number | null } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, code: r.status };
}
const url = (p: string) => `http://127.0.0.1:${server.httpPort}${p}`;
const cliAs = (user: string, ...args: string[]) =>
  run('redis-cli', ['-p', String(server.port), '--user', user, '--pass', makeToken(user), '--no-auth-warning', ...args]).out;

describe('curl + redis-cli against imsim serve --http', () => {
  it('upload, send the reference, sync it, download the same bytes', () => {
    const photo = join(dir, 'photo.png');
    const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(5000, 9)]);
    writeFileSync(photo, bytes);
    const up = run('curl', ['-sS', '-u', `alice:${makeToken('alice')}`, '-H', 'Content-Type: image/png', '--data-binary', `@${photo}`, url('/media')]);
    const { ref, url: where } = JSON.parse(up.out) as { ref: string; url: string };
    expect(ref).toMatch(/^media:image\/png:[0-9a-f]{64}$/);
    expect(cliAs('alice', 'send', 'bob', 'c-1', ref)).toBe('OK\n');
    const synced = cliAs('bob', 'msg-sync', '0').trim().split('\n');
    expect(synced.slice(3)).toEqual(['alice', 'c-1', ref]);
    const copy = join(dir, 'copy.png');
    const down = run('curl', ['-sS', '-f', '-u', `bob:${makeToken('bob')}`, '-o', copy, url(where)]);
    expect(down.code).toBe(0);
    expect(readFileSync(copy).equals(bytes)).toBe(true);
    expect(cliAs('bob', 'stats', 'totals')).toContain('image_total:1');
  });

  it('curl sees the errors: 401 without a login, 413 for a file over the limit (refused before its body is sent)', () => {
    const noLogin = run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Content-Type: image/png', '--data-binary', 'x', url('/media')]);
    expect(noLogin.out).toBe('401');
    const big = join(dir, 'big.png');
    writeFileSync(big, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(11 * 1024 * 1024)]));
    // curl sends Expect: 100-continue for a body this big and waits for the verdict
    const tooBig = run('curl', ['-s', '-w', '\n%{http_code}', '-u', `alice:${makeToken('alice')}`, '-H', 'Content-Type: image/png', '--data-binary', `@${big}`, url('/media')]);
    const lines = tooBig.out.trim().split('\n');
    expect(lines.at(-1)).toBe('413');
    expect(tooBig.out).toContain('image/png uploads are limited to 10485760 bytes');
  });

  it('the same port serves Prometheus /metrics and the dashboard page', () => {
    const metrics = run('curl', ['-sS', url('/metrics')]).out;
    expect(metrics).toMatch(/^imsim_cmd_total\{server="0"\} \d+$/m);
    expect(metrics).toContain('imsim_messages_total{kind="image"} 1');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(run('curl', ['-sS', url('/dashboard')]).out).toContain('<script src="/dashboard/vega.js"></script>');
  });
});
