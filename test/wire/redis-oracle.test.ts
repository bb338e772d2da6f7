// Diff the request fixtures against a live redis-server (the oracle named in design.md section 3), when one is
// installed: same bytes in, same error line out and connection closed; no error -> connection stays open.
// Two servers on private unix sockets: one without a password (authenticated fixtures), one with requirepass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import fc from 'fast-check';
import { ProtocolError, RequestDecoder, encodeReply } from '../../src/wire';
import { REQUEST_FIXTURES, RequestFixture } from './fixtures';
import { bytes } from './chunks';

// redis-server is the oracle (design.md §3): scripts/setup.sh installs it, so a missing one fails here, loudly.
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

interface Probe {
  out: string; // latin1
  closed: boolean;
}

function probe(socket: string, data: Buffer, waitMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    const parts: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ out: Buffer.concat(parts).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on('data', (d) => parts.push(d));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', () => s.write(data));
  });
}

/** What Redis answers to the fixture's commands, when we can say without running Redis; else null. */
function expectedReplies(f: Pick<RequestFixture, 'commands' | 'auth'>): string | null {
  let out = '';
  for (const cmd of f.commands) {
    const name = cmd[0].toUpperCase();
    // Redis checks arity before authentication: only well-formed PING / ECHO are predictable here.
    const ok = (name === 'PING' && cmd.length <= 2) || (name === 'ECHO' && cmd.length === 2);
    if (!ok) return null;
    if (f.auth === false) out += '-NOAUTH Authentication required.\r\n';
    else if (cmd.length === 1) out += '+PONG\r\n';
    else out += encodeReply(cmd[1]).toString('latin1');
  }
  return out;
}

it('redis-server is installed (npm test installs it: scripts/setup.sh)', () => {
  expect(hasRedis).toBe(true);
});

describe('fixtures against redis-server', () => {
  const dir = hasRedis ? mkdtempSync(join(tmpdir(), 'imsim-wire-')) : '';
  const servers: ChildProcess[] = [];
  const open = join(dir, 'open.sock');
  const locked = join(dir, 'locked.sock');

  beforeAll(async () => {
    for (const [sock, extra] of [
      [open, []],
      [locked, ['--requirepass', 'secret']],
    ] as const) {
      const args = ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
      servers.push(spawn('redis-server', args, { stdio: 'ignore' }));
    }
    for (let i = 0; i < 100 && !(existsSync(open) && existsSync(locked)); i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(() => {
    for (const s of servers) s.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = REQUEST_FIXTURES.filter((f) => f.oracle !== false);

  it(`agrees on ${cases.length} fixtures`, async () => {
    const results = await Promise.all(
      cases.map((f) => probe(f.auth === false ? locked : open, bytes(f.input), 500).then((r) => ({ f, r }))),
    );
    for (const { f, r } of results) {
      const replies = expectedReplies(f);
      if (f.error) {
        const tail = `-${f.error.reply}\r\n`;
        expect({ name: f.name, closed: r.closed, tail: r.out.slice(-tail.length) }).toEqual({ name: f.name, closed: true, tail });
        if (replies !== null) expect({ name: f.name, out: r.out }).toEqual({ name: f.name, out: replies + tail });
      } else {
        expect({ name: f.name, closed: r.closed }).toEqual({ name: f.name, closed: false });
        if (replies !== null) expect({ name: f.name, out: r.out }).toEqual({ name: f.name, out: replies });
      }
    }
  });

  // Differential fuzz: RESP-flavoured noise through both. The alphabet cannot spell a harmful command
  // (names come out as PING, x, $1, ...), so letting Redis execute whatever it parses is safe.
  const noise = fc
    .array(
      fc.constantFrom(
        ...['*1\r\n', '*2\r\n', '*0\r\n', '*-1\r\n', '*11\r\n', '$1\r\n', '$4\r\n', '$0\r\n', '$-1\r\n', '$16385\r\n'],
        ...['PING', 'PING\r\n', '*', '$', '\r', '\n', '\r\n', '0', '1', '2', '-', '"', "'", '\\', 'x', ' ', '\t'],
        ...['\x00', '\x0b', '\xff'],
      ),
      { maxLength: 30 },
    )
    .map((t) => Buffer.from(t.join(''), 'latin1'));
  // Redis's own limits, so only the parsing rules are compared.
  const redisLimits = { maxBulkBytes: 512 * 1024 * 1024, maxArgs: 2 ** 31 - 1 };

  for (const auth of [true, false]) {
    it(`agrees on random noise (${auth ? 'authenticated' : 'before auth'})`, async () => {
      const inputs = fc.sample(noise, { seed: auth ? 1 : 2, numRuns: 300 });
      for (let i = 0; i < inputs.length; i += 100) {
        const batch = inputs.slice(i, i + 100);
        const results = await Promise.all(batch.map((b) => probe(auth ? open : locked, b, 400)));
        batch.forEach((input, j) => {
          const d = new RequestDecoder(redisLimits);
          d.authenticated = auth;
          d.push(input);
          const commands: string[][] = [];
          let error: ProtocolError | undefined;
          try {
            for (let c = d.next(); c !== null; c = d.next()) commands.push(c);
          } catch (e) {
            error = e as ProtocolError;
          }
          const r = results[j];
          const name = JSON.stringify(input.toString('latin1'));
          const tail = error ? `-${error.reply}\r\n` : '';
          expect({ name, closed: r.closed, tail: r.out.slice(r.out.length - tail.length) }).toEqual({
            name,
            closed: error !== undefined,
            tail,
          });
          const replies = expectedReplies({ commands, auth });
          if (replies !== null) expect({ name, out: r.out }).toEqual({ name, out: replies + tail });
        });
      }
    });
  }
});
