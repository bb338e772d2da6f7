// The cluster runner's --respawn against stop(): a process killed from outside is started again
// 500 ms later, unless the cluster was stopped meanwhile; stop() must leave nothing running.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCluster } from '../../../src/server/split/cluster-runner';
import { alive } from '../../helpers/alive';

const ROOT = join(__dirname, '..', '..', '..');


describe('cluster runner', () => {
  it('stop() within the respawn delay cancels the respawn: no process is started after it', async () => {
    const setup = spawnSync('bash', [join(ROOT, 'scripts', 'setup.sh')], { encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`scripts/setup.sh failed:\n${setup.stderr}`);
    const log: string[] = [];
    const cluster = await startCluster({
      connections: 1, logics: 1, protocol: 'versioned', port: 0, respawn: true,
      main: join(ROOT, 'dist', 'cli', 'main.js'), log: (l) => log.push(l),
    });
    const logic = cluster.logics[0];
    const started: number[] = [];
    try {
      const pid = logic.pid;
      started.push(pid, cluster.connections[0].pid);
      process.kill(pid, 'SIGKILL');
      while (!log.some((l) => /\[logic-1\] exited \(SIGKILL\), starting it again/.test(l))) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await cluster.stop(); // within the 500 ms before the respawn
    }
    expect(logic.starts).toBe(1);
    // Past the respawn delay: a timer left behind would have started a process by now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(logic.starts, log.join('\n')).toBe(1);
    expect(logic.running).toBe(false);
    expect(logic.pid).toBe(0);
    for (const pid of started) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 60_000);
});
