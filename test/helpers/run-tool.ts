// Runs a real client program (redis-cli, redis-benchmark, a pty driver) without blocking the event
// loop, so a server in this same process keeps answering it. Stopped by its pid after `timeoutMs`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when it had to be killed after timeoutMs. */
  killed: boolean;
}

export function runTool(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      proc.kill('SIGKILL');
    }, opts.timeoutMs ?? 10_000);
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
    proc.stdin.on('error', () => {}); // the tool may exit before reading all its input
    proc.stdin.end(opts.input ?? '');
  });
}

const PTY_DRIVE = join(__dirname, 'pty-drive.py');

/** One keystroke sequence and the text to wait for after it (see pty-drive.py). */
export interface PtyStep {
  send?: string;
  expect?: string;
}

/** Runs `argv` in a pseudo-terminal (TERM as given), typing the steps as a person would. */
export function runInPty(argv: string[], steps: PtyStep[], term = 'dumb'): Promise<ToolRun> {
  return runTool('python3', [PTY_DRIVE, JSON.stringify(steps), ...argv], {
    env: { ...process.env, TERM: term }, timeoutMs: 15_000,
  });
}

/** A file of raw RESP commands, as `redis-cli --pipe` reads them. */
export function respCommands(cmds: readonly (readonly string[])[]): Buffer {
  const parts: Buffer[] = [];
  for (const args of cmds) {
    parts.push(Buffer.from(`*${args.length}\r\n`));
    for (const a of args) {
      const b = Buffer.from(a);
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
  }
  return Buffer.concat(parts);
}
