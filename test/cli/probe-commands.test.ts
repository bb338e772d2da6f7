// load, compare --real --port and client ask the server first (src/server/load/probe.ts): nothing listening,
// the other protocol and a wrong token end the command at once with what to do -- no 30 s of
// "connecting 0/5", no table of false losses, no client reconnecting forever.
import * as net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientCommand } from '../../src/cli/client';
import { compareCommand } from '../../src/cli/compare';
import { loadCommand } from '../../src/cli/load';
import { makeToken } from '../../src/protocol/token';
import { ProbeError, probeServer } from '../../src/server/load/probe';
import { startServer, type RunningServer } from '../../src/server/tcp-server';

let servers: RunningServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of servers) await s.close();
  servers = [];
});

async function serve(protocol: 'queue' | 'versioned', secret?: string): Promise<number> {
  const s = await startServer({ protocol, port: 0, secret });
  servers.push(s);
  return s.port;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The error a command ends with, and what it printed first. */
async function failure(cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ error: Error; printed: string }> {
  let printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((printed += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((printed += String(s)), true));
  const error = await cmd(argv).then(() => null, (e: unknown) => e as Error);
  vi.restoreAllMocks();
  expect(error).toBeInstanceOf(ProbeError);
  return { error: error!, printed };
}

describe('the server is asked before anything runs', () => {
  it('nothing listening: load, compare --real and client say how to start one', async () => {
    const port = await freePort();
    const want = `nothing listens on 127.0.0.1:${port} — start one with \`npx imsim serve --port ${port}\``;
    for (const [cmd, argv] of [
      [loadCommand, ['--clients', '5', '--port', String(port)]],
      [compareCommand, ['--real', '--protocol', 'versioned', '--port', String(port)]],
      [clientCommand, ['--user', 'bob', '--port', String(port)]],
    ] as const) {
      const { error, printed } = await failure(cmd, [...argv]);
      expect(error.message).toBe(want);
      expect(printed).not.toMatch(/connecting|lost/);
    }
  });

  it('the other protocol: load, compare --real and client refuse with the flag to pass', async () => {
    const port = await serve('versioned');
    for (const [cmd, argv] of [
      [loadCommand, ['--protocol', 'queue', '--port', String(port)]],
      [compareCommand, ['--real', '--protocol', 'queue', '--port', String(port)]],
      [clientCommand, ['--user', 'bob', '--protocol', 'queue', '--port', String(port)]],
    ] as const) {
      const { error, printed } = await failure(cmd, [...argv]);
      expect(error.message).toBe(`the server at 127.0.0.1:${port} runs the versioned protocol: pass --protocol versioned`);
      expect(printed).toBe('');
    }
  });

  it('a wrong token: client exits with where a good one comes from, instead of reconnecting', async () => {
    const port = await serve('versioned');
    const { error } = await failure(clientCommand, ['--user', 'bob', '--token', 'wrong', '--port', String(port)]);
    expect(error.message).toMatch(/refused the login of bob \(WRONGPASS\): the token for bob is `npx imsim token bob`; if the server was started with --secret S, pass --secret S here/);
  });

  it('a server with another secret: load says its clients use the default secret', async () => {
    const port = await serve('versioned', 'not-the-default');
    const { error } = await failure(loadCommand, ['--clients', '2', '--port', String(port)]);
    expect(error.message).toMatch(/refused the login of imsim-probe \(WRONGPASS\): the clients log in with tokens of the default secret/);
    // a client with that secret gets through the probe (and would chat: not run here, it reads stdin)
    expect(await probeServer({ host: '127.0.0.1', port, user: 'bob', token: makeToken('bob', 'not-the-default') })).toEqual({ protocol: 'versioned' });
  });
});
