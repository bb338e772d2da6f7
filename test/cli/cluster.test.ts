// `imsim cluster` and `imsim serve --role` as a user runs them: the cluster starts its processes
// and a redis-server of its own, prints where they are, carries a message between its connection
// processes (redis-cli on each), and Ctrl-C stops every process it started.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { alive } from '../helpers/alive';

const MAIN = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');


function cli(port: number, user: string, args: string[]): string {
  const r = spawnSync('redis-cli', ['-p', String(port), '--user', user, '--pass', makeToken(user), '--no-auth-warning', ...args], { encoding: 'utf8', timeout: 10_000 });
  return r.stdout;
}

describe('imsim cluster', () => {
  it('starts 2 + 1 processes and a redis-server, routes a message between connection processes, respawns a killed one, stops everything on Ctrl-C', async () => {
    const proc = spawn(process.execPath, [MAIN, 'cluster', '--connection', '2', '--logic', '1', '--port', '0', '--respawn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (!/stop: Ctrl-C \(stops every process above\)/.test(out)) {
      if (Date.now() > deadline) throw new Error(`no summary within 30 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const ports = [...out.matchAll(/conn-\d +pid \d+ +127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    const pids = [...out.matchAll(/(?:conn|logic)-\d +pid (\d+)/g)].map((m) => Number(m[1]));
    const redisPid = Number(/started here, pid (\d+)/.exec(out)![1]);
    expect(ports).toHaveLength(2);
    expect(pids).toHaveLength(3);
    expect(out).toMatch(/imsim cluster: 2 connection \+ 1 logic processes, versioned protocol, Redis at redis:\/\/127\.0\.0\.1:\d+ \(started here/);
    expect(out).toMatch(/kill -9 \d+ +\(a logic process/);

    expect(cli(ports[0], 'alice', ['send', 'bob', 'c-1', 'across processes'])).toBe('OK\n');
    expect(cli(ports[1], 'bob', ['msg-sync', '0'])).toBe('msg\nv\n1\nalice\nc-1\nacross processes\n');

    // kill -9 the logic process: --respawn starts it again, and the cluster serves on
    process.kill(pids[2], 'SIGKILL');
    const again = Date.now() + 20_000;
    let respawned: RegExpExecArray | null = null;
    while (!(respawned = /\[logic-1\] imsim logic process logic-2 \(pid (\d+)\)/.exec(out))) {
      if (Date.now() > again) throw new Error(`not respawned within 20 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(out).toMatch(/\[logic-1\] exited \(SIGKILL\), starting it again/);
    pids.push(Number(respawned[1]));
    expect(cli(ports[1], 'bob', ['send', 'alice', 'c-1', 'after the kill'])).toBe('OK\n');
    expect(cli(ports[0], 'alice', ['msg-sync', '0'])).toBe('msg\nv\n1\nbob\nc-1\nafter the kill\n');

    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/imsim cluster: stopped/);
    for (const pid of [...pids, redisPid]) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 60_000);

  it('explains itself, and refuses a split role without Redis', () => {
    const help = spawnSync(process.execPath, [MAIN, 'cluster', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/usage: npx imsim cluster/);
    expect(help.stdout).toMatch(/kill -9 a logic process/);
    expect(help.stdout).toMatch(/examples:/);
    const serveHelp = spawnSync(process.execPath, [MAIN, 'serve', '--help'], { encoding: 'utf8' });
    expect(serveHelp.stdout).toMatch(/--role <string>/);
    expect(serveHelp.stdout).toMatch(/imsim serve --role logic --redis/);
    const noRedis = spawnSync(process.execPath, [MAIN, 'serve', '--role', 'logic'], { encoding: 'utf8' });
    expect(noRedis.status).toBe(2);
    expect(noRedis.stderr).toMatch(/--role logic needs --redis redis:\/\/host:port/);
    const badRole = spawnSync(process.execPath, [MAIN, 'serve', '--role', 'gateway'], { encoding: 'utf8' });
    expect(badRole.stderr).toMatch(/--role must be one of both, connection, logic; got 'gateway'/);
    const badCount = spawnSync(process.execPath, [MAIN, 'cluster', '--logic', '0', '--redis', 'redis://127.0.0.1:1'], { encoding: 'utf8' });
    expect(badCount.stderr).toMatch(/--logic must be a whole number >= 1, got 0/);
  });
});
