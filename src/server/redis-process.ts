// A private redis-server: started on a free loopback port, without persistence, ready once it
// answers PING, stopped by its pid. Tests start one per file (never using a Redis they did not
// start); `imsim cluster` starts one when no --redis is given.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** True once the redis-server with process id `pid` answers on `port` (another one that took the port does not count). */
function answers(port: number, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('connect', () => s.write('PING\r\nINFO server\r\n'));
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (!got.startsWith('+PONG')) return done(false);
      const m = /process_id:(\d+)\r\n/.exec(got);
      if (m) done(Number(m[1]) === pid);
    });
    s.on('error', () => done(false));
  });
}

async function startOnce(port: number, extra: string[]): Promise<RedisServer | null> {
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
  const deadline = Date.now() + 10_000;
  while (alive && Date.now() < deadline) {
    const ready = await Promise.race([answers(port, proc.pid!), spawnError.then((e) => { throw new Error(`cannot start redis-server (${e.message}): install it (apt-get install redis-server; npm run setup does) or give the URL of a running Redis`); })]);
    if (ready) {
      const pid = proc.pid!;
      return {
        port, pid, url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (!alive) return;
          process.kill(pid, 'SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (alive) {
    process.kill(proc.pid!, 'SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${log}`);
  }
  if (/Address already in use/i.test(log)) return null; // lost the race for the port: try another
  throw new Error(`redis-server exited at start:\n${log}`);
}

/** Starts a redis-server of our own (extra: more redis-server options). */
export async function startRedisServer(extra: string[] = []): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await startOnce(await freePort(), extra);
    if (server) return server;
  }
  throw new Error('redis-server: no free port after 5 attempts');
}
