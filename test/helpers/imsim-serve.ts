// `imsim serve` as a child process for one test file: the built CLI (dist/) on free ports, its
// ports read from what it prints, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

/** The built CLI, found through the project's own link (node_modules/imsim), so bench/ finds it too. */
export const CLI = join(dirname(require.resolve('imsim/package.json')), 'dist', 'cli', 'main.js');

export interface ServeProcess {
  readonly port: number;
  /** The HTTP port, when started with --http. */
  readonly httpPort: number | null;
  readonly proc: ChildProcess;
  /** Everything it printed on stdout so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `fdLimit`: start it through a shell that raises the open-files limit first (`ulimit -n`). */
export function spawnServe(args: string[] = [], opts: { fdLimit?: number } = {}): Promise<ServeProcess> {
  const argv = [CLI, 'serve', '--port', '0', ...args];
  const proc = opts.fdLimit
    ? spawn('bash', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const wantHttp = args.includes('--http');
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      out += d;
      const tcp = /on 127\.0\.0\.1:(\d+)/.exec(out);
      const http = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (tcp && (!wantHttp || http)) {
        resolve({
          port: Number(tcp[1]), httpPort: http ? Number(http[1]) : null, proc,
          output: () => out,
          async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    proc.once('exit', (code) => reject(new Error(`imsim serve exited with ${code}: ${out}${err}`)));
  });
}
