// `imsim serve`'s guards for the real runtime: no public default secret on an address other machines
// reach (checked before anything listens: nothing here binds a non-loopback address); the connection
// guards' flags (--idle-timeout, --login-timeout, --max-connections); a malformed HTTP request does not
// take the process down.
import * as net from 'node:net';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { DEFAULT_IDLE_TIMEOUT_S, LONGEST_HEARTBEAT_S, isLoopback, serveCommand } from '../../src/cli/serve';
import { HEARTBEAT } from '../../src/protocol/policies';
import { makeToken } from '../../src/protocol/token';
import { CLI, spawnServe, type ServeProcess } from '../helpers/imsim-serve';
import { until } from '../helpers/until';

let proc: ServeProcess | null = null;
afterEach(async () => {
  await proc?.stop();
  proc = null;
});

/** A raw connection: what it received, and whether the server closed it. */
async function raw(port: number) {
  const s = net.connect(port, '127.0.0.1');
  let got = '';
  let closed = false;
  s.on('data', (c) => (got += c.toString('latin1')));
  s.on('error', () => {});
  s.on('close', () => (closed = true));
  await new Promise((r) => s.once('connect', r));
  return { s, got: () => got, closed: () => closed };
}

describe('imsim serve --host with the default secret', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'example.com', '10.0.0.1'])('refuses --host %s without --secret, saying to pass one', async (host) => {
    const run = serveCommand(['--host', host, '--port', '0']);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(serveCommand(['--host', host, '--port', '0'])).rejects.toThrow(/default secret is public[\s\S]*Pass --secret/);
  });

  it('refuses it for a connection process too (its logic processes check tokens with the same public secret)', async () => {
    await expect(serveCommand(['--role', 'connection', '--redis', 'redis://127.0.0.1:1', '--host', '0.0.0.0', '--port', '0'])).rejects.toThrow(/Pass --secret/);
  });

  it('lets it through with --secret (the run then stops at the bad port, before anything listens)', async () => {
    const err = process.stderr.write;
    let said = '';
    process.stderr.write = ((t: string) => ((said += t), true)) as typeof process.stderr.write;
    try {
      expect(await serveCommand(['--host', '0.0.0.0', '--secret', 's3cret', '--port', '99999'])).toBe(1);
    } finally {
      process.stderr.write = err;
    }
    expect(said).toMatch(/port/i);
    expect(said).not.toContain('--secret');
  });

  it('tells loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '', '128.0.0.1', '127.0.0.1.evil.com', '::ffff:10.0.0.1', '192.168.0.1']) expect(isLoopback(h)).toBe(false);
  });
});

describe('imsim serve connection guards', () => {
  it('--idle-timeout: a logged-in client that stops sending is closed; the banner says so', async () => {
    proc = await spawnServe(['--idle-timeout', '0.3']);
    expect(proc.output()).toContain('connections: closed when silent 0.3 s, when not logged in 60 s; at most unlimited');
    const c = await raw(proc.port);
    c.s.write(`HELLO 3 AUTH bob ${makeToken('bob')}\r\n`);
    await until('bob logged in', () => c.got().includes('server'));
    await until('bob, silent, is closed', () => c.closed());
    expect(proc.proc.exitCode).toBe(null);
  });

  it('--login-timeout and --max-connections: a lurker is told and closed, one over the limit is refused', async () => {
    proc = await spawnServe(['--login-timeout', '0.3', '--max-connections', '1']);
    const lurker = await raw(proc.port);
    const extra = await raw(proc.port);
    await until('the extra one is refused', () => extra.closed());
    expect(extra.got()).toBe('-ERR max number of clients reached\r\n');
    await until('the lurker is closed', () => lurker.closed());
    expect(lurker.got()).toMatch(/^-ERR no login within 0.3 s: log in first/);
  });

  it('the default idle timeout sits above every client heartbeat policy', () => {
    for (const p of Object.values(HEARTBEAT)) {
      if (p.kind === 'fixed') expect(p.intervalUs + p.timeoutUs).toBeLessThan(DEFAULT_IDLE_TIMEOUT_S * 1e6);
      if (p.kind === 'adaptive') expect(p.maxUs + p.timeoutUs).toBeLessThan(DEFAULT_IDLE_TIMEOUT_S * 1e6);
    }
    expect(LONGEST_HEARTBEAT_S).toBe(600);
  });

  it.each([
    [['--idle-timeout', '-1'], '--idle-timeout takes seconds, 0 (never) or more; got -1'],
    [['--login-timeout', '-0.5'], '--login-timeout takes seconds, 0 (never) or more; got -0.5'],
    [['--max-connections', '0'], '--max-connections takes a whole number, 1 or more; got 0'],
  ])('refuses %j with a message that says what to do', (args, message) => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('imsim serve --http and malformed requests', () => {
  it('GET http://[ gets a 400 and the process serves on (HTTP and TCP)', async () => {
    proc = await spawnServe(['--http', '0']);
    const bad = await raw(proc.httpPort!);
    bad.s.write('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('a reply', () => bad.got().includes('\r\n\r\n{'));
    expect(bad.got()).toMatch(/^HTTP\/1.1 400 /);
    const junk = await raw(proc.httpPort!);
    junk.s.write('GET http://[ HTTP/1.1\r\n\r\n');
    await until('a reply', () => junk.closed());
    expect(junk.got()).toMatch(/^HTTP\/1.1 400 /);
    expect((await fetch(`http://127.0.0.1:${proc.httpPort}/metrics`)).status).toBe(200);
    const c = await raw(proc.port);
    c.s.write('PING\r\n');
    await until('PONG', () => c.got() === '+PONG\r\n');
    expect(proc.proc.exitCode).toBe(null);
  });
});
