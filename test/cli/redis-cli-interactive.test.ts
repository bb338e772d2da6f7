// redis-cli as a person uses it: interactive, in a terminal (a pseudo-terminal driven by
// test/helpers/pty-drive.py), against the real `imsim serve` process, with nothing but
// host/port/user/password given. Its start-up asks COMMAND DOCS (that is where `help send` and
// the grey hints while typing come from); with -3 it prints the server's pushes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../../src/protocol/token';
import { spawnServe, type ServeProcess } from '../helpers/imsim-serve';
import { runInPty, runTool } from '../helpers/run-tool';

let serve: ServeProcess;
let prompt = '';
beforeAll(async () => {
  serve = await spawnServe();
  prompt = `127.0.0.1:${serve.port}> `;
});
afterAll(async () => {
  await serve.stop();
});

const login = (user: string) => ['-p', String(serve.port), '--user', user, '--pass', makeToken(user), '--no-auth-warning'];
/** Terminal output as lines, without carriage returns. */
const lines = (s: string) => s.replace(/\r/g, '').split('\n');

describe('redis-cli, interactive in a terminal', () => {
  it('shows imsim help from COMMAND DOCS, sends, echoes and quits', async () => {
    const r = await runInPty(['redis-cli', ...login('ivan')], [
      { expect: prompt },
      { send: 'help send\n', expect: prompt },
      { send: 'send judy c-t1 "hello from a terminal"\n', expect: prompt },
      { send: 'ECHO "two words"\n', expect: prompt },
      { send: 'select 0\n', expect: prompt },
      { send: 'quit\n' },
    ]);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    // help comes from imsim's COMMAND DOCS: the arguments and the summary
    expect(r.stdout).toMatch(/SEND\S* \S*to cmid body/);
    expect(r.stdout).toContain('Send a message; +OK once stored');
    expect(r.stdout).toMatch(/group:\S* imsim/);
    const after = (cmd: string) => out[out.findIndex((l) => l.endsWith(cmd)) + 1];
    expect(after('send judy c-t1 "hello from a terminal"')).toBe('OK');
    expect(after('ECHO "two words"')).toBe('"two words"');
    expect(after('select 0')).toBe('OK');
    // the message was stored for judy
    const sync = await runTool('redis-cli', [...login('judy'), 'msg-sync', '0']);
    expect(sync.stdout).toBe('msg\nv\n1\nivan\nc-t1\nhello from a terminal\n');
  });

  it('shows the arguments of an imsim command as a hint while typing (xterm)', async () => {
    const r = await runInPty(['redis-cli', ...login('ivan')], [
      { expect: prompt },
      { send: 'send ', expect: 'to cmid body' }, // the grey hint, drawn from COMMAND DOCS
      { send: '\u0015quit\r' }, // Ctrl-U clears the line
    ], 'xterm');
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/send \x1b\[[0-9;]*mto cmid body/);
  });

  it('with -3 prints the msg-psh push that a new message brings', async () => {
    const r = await runInPty(['redis-cli', '-3', ...login('kate')], [
      { expect: prompt },
      { send: 'msg-sync 0\n', expect: prompt },
      { send: 'send kate c-self note-to-self\n', expect: prompt }, // to herself: her own connection gets the push
      { send: 'ping\n', expect: prompt },
      { send: 'quit\n' },
    ]);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[out.findIndex((l) => l.endsWith('msg-sync 0')) + 1]).toBe('(empty array)');
    // the push ("msg-psh", latest version 1) is printed, and the replies stay in step
    const from = out.findIndex((l) => l.endsWith('send kate c-self note-to-self'));
    const rest = out.slice(from + 1, out.findIndex((l, i) => i > from && l === 'PONG') + 1);
    expect(rest).toEqual(expect.arrayContaining(['OK', '1) "msg-psh"', '2) "1"', 'PONG']));
    expect(rest.indexOf('OK')).toBeLessThan(rest.indexOf('PONG'));
  });

  it('says what is wrong at the prompt and keeps the session', async () => {
    const r = await runInPty(['redis-cli', '-p', String(serve.port)], [
      { expect: prompt },
      { send: 'msg-sync 0\n', expect: prompt },
      { send: 'nosuch a\n', expect: prompt },
      { send: 'ping\n', expect: prompt },
      { send: 'quit\n' },
    ]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toContain('(error) NOAUTH Authentication required.');
    expect(out).toContain("(error) ERR unknown command 'nosuch', with args beginning with: 'a' ");
    expect(out[out.findIndex((l) => l.endsWith('ping')) + 1]).toBe('PONG');
  });
});
