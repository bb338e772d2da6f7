// Starts a split deployment on this machine, each role a real `imsim serve --role ...` process:
// N connection processes and M logic processes sharing one Redis (its own redis-server on a free
// port unless a URL is given). `imsim cluster` runs it for trying things out; the multi-process
// tests drive it to kill and restart processes. Every process it starts it stops, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtocolName } from '../../protocol/messages';
import { startRedisServer, type RedisServer } from '../redis-process';

export interface ClusterOptions {
  connections: number;
  logics: number;
  protocol: ProtocolName;
  /** A running Redis; without one, a redis-server of its own is started (and stopped). */
  redisUrl?: string;
  redisPrefix?: string;
  secret?: string;
  host?: string;
  /** Port of the first connection process, the others follow (0 = free ports). */
  port?: number;
  leaseMs?: number;
  /** Start a process again when it exits by itself (killed from outside). */
  respawn?: boolean;
  /** Each line a process prints, labelled, and what the runner itself reports. */
  log?: (line: string) => void;
  /** The CLI entry (dist/cli/main.js) the processes run. */
  main?: string;
}

/** `both`: one `imsim serve` process holding both layers (the single-process peer of benchmarks). */
export type ClusterRole = 'connection' | 'logic' | 'both';

export interface ClusterProcess {
  readonly role: ClusterRole;
  /** `conn-1`, `logic-2`: the slot, the same across restarts. */
  readonly label: string;
  /** The process now (0 when not running). */
  readonly pid: number;
  /** Connection processes: the port, kept across restarts. */
  readonly port: number;
  /** Connection process id (gw) or logic consumer name of the current incarnation. */
  readonly incarnation: string;
  readonly running: boolean;
  /** How many times it was started. */
  readonly starts: number;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it (again), on the same port; resolves once it serves. */
  start(): Promise<void>;
}

export interface RunningCluster {
  readonly redisUrl: string;
  /** The redis-server this cluster started, if it did. */
  readonly ownRedis: RedisServer | null;
  readonly connections: ClusterProcess[];
  readonly logics: ClusterProcess[];
  /** Stops every process it started (SIGTERM, then SIGKILL after 5 s) and its own redis-server. */
  stop(): Promise<void>;
}

const READY: Record<ClusterRole, RegExp> = {
  connection: /connection process (\d+) \(pid \d+\) serving on \S+:(\d+)/,
  logic: /logic process (\S+) \(pid \d+\)/,
  both: /imsim serving the \S+ protocol on \S+:(\d+)/,
};

function defaultMain(): string {
  const beside = join(__dirname, '..', '..', 'cli', 'main.js'); // running from dist/
  return existsSync(beside) ? beside : join(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js'); // from src/ (tests)
}

class Proc implements ClusterProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  /** A start again scheduled after the process exited by itself (--respawn); kill() cancels it. */
  private respawnTimer: NodeJS.Timeout | null = null;
  pid = 0;
  port: number;
  incarnation = '';
  starts = 0;

  constructor(
    readonly role: ClusterRole,
    readonly label: string,
    port: number,
    private readonly args: (port: number) => string[],
    private readonly main: string,
    private readonly log: (line: string) => void,
    private readonly respawn: boolean,
  ) {
    this.port = port;
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error(`${this.label} is already running (pid ${this.pid})`));
    this.stopping = false;
    const child = spawn(process.execPath, [this.main, 'serve', ...this.args(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.pid = child.pid ?? 0;
    this.starts++;
    let out = '';
    let ready = false;
    const lines = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    };
    return new Promise<void>((resolve, reject) => {
      this.exited = new Promise<void>((done) => {
        child.once('exit', (code, signal) => {
          this.child = null;
          this.pid = 0;
          if (!ready) reject(new Error(`${this.label} exited at start (${signal ?? `code ${code}`}):\n${out}`));
          else if (!this.stopping) {
            this.log(`[${this.label}] exited (${signal ?? `code ${code}`})${this.respawn ? ', starting it again' : ''}`);
            if (this.respawn) {
              this.respawnTimer = setTimeout(() => {
                this.respawnTimer = null;
                if (this.stopping) return; // stopped meanwhile: nobody would stop what starts now
                void this.start().catch((e: Error) => this.log(`[${this.label}] ${e.message}`));
              }, 500);
            }
          }
          done();
        });
      });
      lines(child.stdout!, (l) => {
        if (!ready) {
          out += l + '\n';
          const m = READY[this.role].exec(l);
          if (m) {
            ready = true;
            this.incarnation = this.role === 'both' ? '' : m[1];
            if (this.role === 'connection') this.port = Number(m[2]);
            if (this.role === 'both') this.port = Number(m[1]);
            resolve();
          }
        }
        this.log(`[${this.label}] ${l}`);
      });
      lines(child.stderr!, (l) => {
        if (!ready) out += l + '\n';
        this.log(`[${this.label}] ${l}`);
      });
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true; // first: an exit handler or a respawn timer running later starts nothing
    if (this.respawnTimer) {
      clearTimeout(this.respawnTimer);
      this.respawnTimer = null;
    }
    if (!this.child) return;
    const pid = this.pid;
    const exited = this.exited;
    process.kill(pid, signal);
    const timer = setTimeout(() => {
      if (this.pid === pid) process.kill(pid, 'SIGKILL');
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** One `imsim serve` process (both layers), with the given extra options; resolves once it serves. */
export async function startServeProcess(args: string[], opts: { main?: string; log?: (line: string) => void } = {}): Promise<ClusterProcess> {
  const p = new Proc('both', 'serve', 0, () => ['--port', '0', ...args], opts.main ?? defaultMain(), opts.log ?? (() => {}), false);
  await p.start();
  return p;
}

export async function startCluster(opts: ClusterOptions): Promise<RunningCluster> {
  if (!Number.isInteger(opts.connections) || opts.connections < 1) throw new RangeError(`--connection must be a whole number >= 1, got ${opts.connections}`);
  if (!Number.isInteger(opts.logics) || opts.logics < 1) throw new RangeError(`--logic must be a whole number >= 1, got ${opts.logics}`);
  const log = opts.log ?? (() => {});
  const main = opts.main ?? defaultMain();
  if (!existsSync(main)) throw new Error(`cannot find the imsim CLI at ${main}: run npm run setup to build dist/`);
  const ownRedis = opts.redisUrl ? null : await startRedisServer();
  if (ownRedis) log(`[redis] started redis-server (pid ${ownRedis.pid}) on port ${ownRedis.port}`);
  const redisUrl = opts.redisUrl ?? ownRedis!.url;
  const common = [
    '--redis', redisUrl,
    ...(opts.redisPrefix ? ['--redis-prefix', opts.redisPrefix] : []),
    ...(opts.secret ? ['--secret', opts.secret] : []),
    ...(opts.leaseMs ? ['--lease-ms', String(opts.leaseMs)] : []),
  ];
  const host = opts.host ?? '127.0.0.1';
  const firstPort = opts.port ?? 0;
  const respawn = opts.respawn ?? false;
  const connections = Array.from({ length: opts.connections }, (_, i) => new Proc(
    'connection', `conn-${i + 1}`, firstPort === 0 ? 0 : firstPort + i,
    (port) => ['--role', 'connection', '--host', host, '--port', String(port), ...common], main, log, respawn,
  ));
  const logics = Array.from({ length: opts.logics }, (_, i) => new Proc(
    'logic', `logic-${i + 1}`, 0,
    () => ['--role', 'logic', '--protocol', opts.protocol, ...common], main, log, respawn,
  ));
  const all = [...logics, ...connections];
  const stop = async () => {
    await Promise.all(all.map((p) => p.kill('SIGTERM')));
    if (ownRedis) await ownRedis.stop();
  };
  try {
    // One after the other: on a first start, conn-2 is connection process 2 and logic-2 is consumer logic-2.
    for (const p of [...connections, ...logics]) await p.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { redisUrl, ownRedis, connections, logics, stop };
}
