// A real redis-cli against the real `imsim serve` process: log in, send, sync, confirm.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';

const MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
let server: ChildProcess;
let port = 0;

beforeAll(async () => {
  server = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.once('exit', (code) => reject(new Error(`imsim serve exited with ${code}: ${out}`)));
  });
});

afterAll(() => {
  server.kill('SIGTERM');
});

function cli(user: string, args: string[], input?: string): string {
  const r = spawnSync('redis-cli', ['-p', String(port), '--user', user, '--pass', makeToken(user), '--no-auth-warning', ...args], {
    input, encoding: 'utf8', timeout: 10_000,
  });
  if (r.error) throw r.error;
  return r.stdout;
}

describe('redis-cli against imsim serve', () => {
  it('logs in, sends, syncs and confirms', () => {
    expect(cli('alice', ['send', 'bob', 'c-1', 'hello bob'])).toBe('OK\n');
    expect(cli('bob', ['msg-sync', '0'])).toBe('msg\nv\n1\nalice\nc-1\nhello bob\n');
    expect(cli('bob', ['msg-fin', 'v', '1'])).toBe('OK\n');
  });

  it('runs a RESP3 session from standard input, as a script would', () => {
    const out = cli('carol', ['-3'], 'ping\nsend dave c-9 "two words"\nsend dave c-9 "two words"\n');
    expect(out).toBe('PONG\nOK\nOK\n');
    // the retried send (same cmid) was stored once
    expect(cli('dave', ['msg-sync', '0'])).toBe('msg\nv\n1\ncarol\nc-9\ntwo words\n');
  });

  it('refuses a wrong token and IM commands before login', () => {
    const r = spawnSync('redis-cli', ['-p', String(port), 'msg-sync', '0'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('NOAUTH Authentication required.');
    const w = spawnSync('redis-cli', ['-p', String(port), '--user', 'bob', '--pass', 'nope', '--no-auth-warning', 'ping'], { encoding: 'utf8' });
    expect(w.stderr + w.stdout).toContain('WRONGPASS');
  });
});
