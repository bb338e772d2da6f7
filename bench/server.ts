// The real server against real Redis, in the same run, with redis-benchmark (design.md §11, issue 5's
// acceptance): PING_MBULK and a msg-* command, unpipelined and with -P 16, as ratios to redis-server;
// then the memory of idle connections, ~20k held, as RSS growth per connection of each process.
// Targets: >= 0.8x Redis unpipelined, >= 0.25x with -P 16.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeToken } from '../src/protocol/token';
import { spawnServe, type ServeProcess } from '../test/helpers/imsim-serve';
import { startRedisServer, type RedisServer } from '../src/server/redis-process';

const CLIENTS = 50;
const ROUNDS = 3;

/** Resident set size of a process, KiB (from /proc). */
function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** requests/s of one redis-benchmark run (its --csv line). */
function redisBenchmark(port: number, args: string[]): number {
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-c', String(CLIENTS), '--csv', ...args], { encoding: 'utf8', timeout: 120_000 });
  const last = out.trim().split('\n').at(-1) ?? '';
  const rps = Number(last.split(',')[1]?.replace(/"/g, ''));
  if (!Number.isFinite(rps)) throw new Error(`redis-benchmark said: ${out.slice(-300)}`);
  return rps;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const k = (rps: number) => `${(rps / 1000).toFixed(1)}k/s`;

/** A child that holds connections (bench/hold-connections.ts), with the fd limit raised by its shell. */
function holder(fdLimit: number) {
  const script = join(__dirname, 'hold-connections.js');
  const proc = spawn('bash', ['-c', `ulimit -n ${fdLimit} && exec "$0" "$1"`, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    async say(cmd: string): Promise<number> {
      proc.stdin!.write(`${cmd}\n`);
      const { value } = await lines.next();
      const m = /^ok (\d+)$/.exec(String(value ?? ''));
      if (!m) throw new Error(`connection holder: ${value ?? 'exited'} (after '${cmd}')`);
      return Number(m[1]);
    },
    async close(): Promise<void> {
      if (proc.exitCode === null) await this.say('close').catch(() => proc.kill());
      await exited;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 1000));

/** RSS growth per connection while `n` idle connections are held (KiB/connection), and logged in too for imsim. */
async function memoryPerConnection(pid: number, port: number, n: number, fdLimit: number, login: boolean): Promise<{ held: number; connected: number; loggedIn?: number }> {
  const h = holder(fdLimit);
  try {
    await settle();
    const base = rssKb(pid);
    const held = await h.say(`connect ${port} ${n}`);
    await settle();
    const connected = (rssKb(pid) - base) / held;
    if (!login) return { held, connected };
    await h.say('auth');
    await settle();
    return { held, connected, loggedIn: (rssKb(pid) - base) / held };
  } finally {
    await h.close();
  }
}

export async function benchServer(): Promise<void> {
  const hard = Number(execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
  const fdLimit = Number.isFinite(hard) ? hard : 1024;
  const n = Math.min(20_000, fdLimit - 64); // each side needs one fd per connection, plus a few of its own
  let imsim: ServeProcess | null = null;
  let redis: RedisServer | null = null;
  try {
    imsim = await spawnServe([], { fdLimit });
    redis = await startRedisServer(['--maxclients', String(n + 100)]);
    const version = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? '?';
    console.log(`server: imsim serve (embedded store) vs redis-server ${version}, both fresh, on 127.0.0.1`);

    // memory first, on fresh processes
    console.log(`memory: ${n} idle connections held (open-files limit ${fdLimit}${n < 20_000 ? `: 20k would need ${20_000 + 64}` : ''})`);
    const mi = await memoryPerConnection(imsim.proc.pid!, imsim.port, n, fdLimit, true);
    const mr = await memoryPerConnection(redis.pid, redis.port, n, fdLimit, false);
    console.log(`memory: imsim ${mi.connected.toFixed(2)} KiB/connection connected, ${mi.loggedIn!.toFixed(2)} KiB logged in; ` +
      `redis-server ${mr.connected.toFixed(2)} KiB; ratio ${(mi.connected / mr.connected).toFixed(1)}x (${(mi.loggedIn! / mr.connected).toFixed(1)}x logged in)`);

    // throughput: each case alternates imsim and Redis for ROUNDS rounds; medians
    const token = makeToken('alice');
    const cases: { name: string; imsim: string[]; redis: string[] }[] = [
      { name: 'PING_MBULK', imsim: ['-t', 'ping_mbulk'], redis: ['-t', 'ping_mbulk'] },
      {
        // the versioned protocol's read: the messages after a version, a page of them; Redis does the
        // store step the deck names (a sorted set by version, ranged after v) on an empty mailbox too
        name: 'msg-sync 0 (logged in) vs ZRANGEBYSCORE (0 +inf LIMIT 0 100',
        imsim: ['--user', 'alice', '-a', token, 'msg-sync', '0'],
        redis: ['zrangebyscore', 'imsim:{alice}:v', '(0', '+inf', 'LIMIT', '0', '100'],
      },
    ];
    for (const pipeline of [1, 16]) {
      const target = pipeline === 1 ? 0.8 : 0.25;
      const requests = pipeline === 1 ? 60_000 : 400_000;
      for (const c of cases) {
        const ri: number[] = [];
        const rr: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          ri.push(redisBenchmark(imsim.port, ['-n', String(requests), '-P', String(pipeline), ...c.imsim]));
          rr.push(redisBenchmark(redis.port, ['-n', String(requests), '-P', String(pipeline), ...c.redis]));
        }
        const ratio = median(ri) / median(rr);
        console.log(`${pipeline === 1 ? 'unpipelined' : '-P 16      '} ${c.name}: imsim ${k(median(ri))}, redis-server ${k(median(rr))}; ` +
          `ratio ${ratio.toFixed(2)}x (target >= ${target}x: ${ratio >= target ? 'met' : 'MISSED'}) [runs: ${ri.map(k).join(' ')} | ${rr.map(k).join(' ')}]`);
      }
    }
    console.log(`(redis-benchmark -c ${CLIENTS}, median of ${ROUNDS} alternating runs each; the machine is shared, so runs vary)`);
  } finally {
    await imsim?.stop();
    await redis?.stop();
  }
}
