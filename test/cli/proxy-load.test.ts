// `imsim proxy`, `imsim load` and `imsim compare --real` as a user runs them (the built CLI, real
// processes on loopback, each stopped by the test).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { CLI as MAIN, spawnServe } from '../helpers/imsim-serve';
import { until } from '../helpers/until';

let procs: ChildProcess[] = [];
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of procs) if (p.exitCode === null && p.pid) process.kill(p.pid, 'SIGKILL');
  procs = [];
  for (const c of cleanup.splice(0)) await c();
});

function start(args: string[]): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out, exited };
}

async function waitFor(what: string, out: () => string, re: RegExp, ms = 20_000): Promise<RegExpExecArray> {
  await until(`${what} (${re})`, () => re.test(out()), ms, 20).catch((err: Error) => {
    throw new Error(`${err.message}:\n${out()}`);
  });
  return re.exec(out())!;
}

const run = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout });

describe('imsim proxy', () => {
  it('--help teaches; a bad option or profile says what to do', () => {
    const h = run(['proxy', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/usage: npx imsim proxy/);
    expect(h.stdout).toMatch(/half-open cuts/);
    expect(h.stdout).toMatch(/--window/);
    const win = run(['proxy', '--window', '0']);
    expect(win.status).toBe(2);
    expect(win.stderr).toMatch(/--window takes KiB >= 1, got 0/);
    const bad = run(['proxy', '--profile', '5g']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown link profile '5g'; known: fixed, wifi/);
    const target = run(['proxy', '--target', 'nowhere']);
    expect(target.status).toBe(2);
    expect(target.stderr).toMatch(/--target takes HOST:PORT or PORT/);
  });

  it('forwards redis-cli to imsim serve through a link, logs each connection, stops on Ctrl-C', async () => {
    const serve = await spawnServe();
    cleanup.push(() => serve.stop());
    const proxy = start(['proxy', '--profile', 'lte', '--listen', '0', '--target', `127.0.0.1:${serve.port}`, '--every', '0']);
    const pport = Number((await waitFor('proxy', proxy.out, /imsim proxy: 127\.0\.0\.1:(\d+) -> /))[1]);
    const cli = spawnSync('redis-cli', ['-p', String(pport), '--user', 'alice', '--pass', makeToken('alice'), '--no-auth-warning', 'ping'], { encoding: 'utf8', timeout: 10_000 });
    expect(cli.stdout.trim()).toBe('PONG');
    await waitFor('log lines', proxy.out, /#1 server side: closed by the device/);
    expect(proxy.out()).toMatch(/#1 opened from :\d+ as device c1 \(lte\)/);
    expect(proxy.out()).toMatch(/#1 connected \(modelled handshake \d+\.\d ms\)/);
    proxy.proc.kill('SIGINT');
    expect(await proxy.exited).toBe(0);
    expect(proxy.out()).toMatch(/-- 0 open · 1 accepted · 1 closed · 0 reset/);
    expect(proxy.out()).toMatch(/held 0\/0 KiB up\/down \(peak \d+ KiB per direction, window 256 KiB, 0 pauses\)/);
    await serve.stop();
    expect(serve.proc.exitCode).toBe(0);
  });
});

describe('imsim load', () => {
  it('runs real clients through a profile against a server it starts, prints progress and the ledger', () => {
    const r = run(['load', '--clients', '6', '--duration', '1', '--rate', '5', '--profile', 'wifi', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/imsim load: 6 clients, versioned protocol, through the 'wifi' link/);
    expect(r.stderr).toMatch(/done +online 6\/6 +sent \d+ +stored \d+ +delivered \d+/);
    const j = JSON.parse(r.stdout);
    expect(j.complete).toBe(true);
    expect(j.delivery.lost).toBe(0);
    expect(j.delivery.duplicates).toBe(0);
    expect(j.delivery.unique).toBe(j.delivery.sent);
    expect(j.proxy.accepted).toBeGreaterThanOrEqual(6);
  });

  it('exits 1 when the run never finishes: a server that logs clients in and then never answers', async () => {
    // It says +OK to the login (and the CLIENT SETINFO before it) and nothing after: every message stays
    // unacknowledged -- "under way", none "lost" -- so only the completeness check can fail the run.
    const socks: net.Socket[] = [];
    const mute = net.createServer((s) => {
      socks.push(s);
      let seen = '';
      let answered = 0;
      s.on('data', (b) => {
        seen += b.toString('latin1');
        // (and the probe's msg-fin v 0 before the run, which a versioned server answers +OK)
        const logins = seen.match(/\*\d+\r\n\$\d+\r\n(client|hello|msg-fin)\r\n/gi)?.length ?? 0;
        for (; answered < logins; answered++) s.write('+OK\r\n');
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (mute.address() as net.AddressInfo).port;
      const load = start(['load', '--clients', '2', '--duration', '0.5', '--rate', '10', '--drain', '0.5', '--port', String(port)]);
      expect(await load.exited).toBe(1);
      expect(load.out()).toMatch(/done +online 2\/2 +sent [1-9]\d* +stored 0 +delivered 0/);
      expect(load.out()).toMatch(/0 lost/);
      expect(load.out()).toMatch(/imsim load: FAILED: the run did not finish within --drain \(\d+\.\d s\): \d+ sent, 0 stored, 0 delivered, \d+ still under way -- is the server answering\?/);
    } finally {
      for (const s of socks) s.destroy();
      await new Promise<void>((r) => mute.close(() => r()));
    }
  });

  it('refuses nonsense with a clear message', () => {
    const r = run(['load', '--clients', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--clients takes an integer >= 2/);
  });
});

describe('imsim compare --real', () => {
  it('--help shows both forms, every option; an option of the other form is a usage error', () => {
    const h = run(['compare', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/usage: npx imsim compare \[--profiles a,b,\.\.\.\]/);
    expect(h.stdout).toMatch(/imsim compare --real \[--profile NAME\|FILE\.json\] \[--protocol queue\|versioned\|both\] \[--port P\]/);
    const usage = h.stdout.slice(0, h.stdout.indexOf('\n\n'));
    for (const o of ['profiles', 'messages', 'gap', 'mobility', 'real', 'profile', 'protocol', 'port', 'seed', 'json']) {
      expect(usage).toContain(`--${o}`); // every option in the usage lines
      expect(h.stdout).toMatch(new RegExp(`^  --${o}\\b`, 'm')); // and in the options list
    }
    const profile = run(['compare', '--profile', 'edge']);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toMatch(/--profile goes with --real \(the simulated comparison takes --profiles a,b,\.\.\.\)/);
    const profiles = run(['compare', '--real', '--profiles', 'edge']);
    expect(profiles.status).toBe(2);
    expect(profiles.stderr).toMatch(/with --real give one link with --profile/);
    const protocol = run(['compare', '--real', '--protocol', 'tcp']);
    expect(protocol.status).toBe(2);
    expect(protocol.stderr).toMatch(/--protocol must be one of queue, versioned, both; got 'tcp'/);
  });

  it('--mobility is checked the same way with and without --real: an unknown pattern is a usage error naming the known', () => {
    for (const args of [['compare', '--mobility', 'resets,teleport'], ['compare', '--real', '--mobility', 'teleport'], ['load', '--mobility', 'teleport']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown mobility pattern 'teleport'; known: still, elevator, tunnel, train, resets, half-open \(or none\)/);
    }
  });

  it('prints the simulated and the real run side by side, with the same deliveries', () => {
    const r = run(['compare', '--real', '--messages', '15', '--gap', '20', '--protocol', 'versioned', '--profile', '3g']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/measure +sim versioned +real versioned/);
    expect(r.stdout).toMatch(/delivered +15 +15/);
    expect(r.stdout).toMatch(/lost +0 +0/);
    expect(r.stderr).toMatch(/bob saw the same messages in the same order in both/);
  });
});
