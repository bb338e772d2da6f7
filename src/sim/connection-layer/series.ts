// Per-second sampling of the connection layer: the counters of the current second (the model counts into
// `sec` directly), one LayerSeries row and one kernel trace record a second (so the trace fingerprint is a
// digest of the whole run), then the counters start again.
import type { Kernel } from '../kernel';
import { DRAINING, UP, US, type LayerSeries } from './types';

/** What happened during the current second. */
export interface SecondCounts {
  attempts: number;
  accepts: number;
  refused: number;
  failed: number;
  logic: number;
  heartbeats: number;
}

/** The servers' rows the sampler reads (shared arrays of the layer); it resets cpuUs each second. */
export interface SampledServers {
  readonly qLen: Int32Array;
  readonly srvState: Uint8Array;
  readonly count: Int32Array;
  readonly cpuUs: Float64Array;
  readonly cores: number;
}

export class SecondSeries {
  readonly sec: SecondCounts = { attempts: 0, accepts: 0, refused: 0, failed: 0, logic: 0, heartbeats: 0 };
  private readonly s: LayerSeries = {
    t: [], sessions: [], connections: [], attempts: [], accepts: [], refused: [], failed: [], logicQps: [], heartbeats: [],
    backlog: [], maxServer: [], minServer: [], cpuMax: [],
  };

  constructor(
    private readonly kernel: Kernel,
    private readonly name: string,
    private readonly servers: SampledServers,
  ) {}

  /** The row for the second ending now; records it in the trace and starts the next second's counters. */
  sample(sessions: number, connections: number): void {
    const s = this.s;
    const c = this.sec;
    const { qLen, srvState, count, cpuUs, cores } = this.servers;
    let backlog = 0;
    let maxS = 0;
    let minS = Infinity;
    let cpu = 0;
    for (let j = 0; j < qLen.length; j++) {
      backlog += qLen[j];
      if (srvState[j] !== UP && srvState[j] !== DRAINING) {
        cpuUs[j] = 0;
        continue;
      }
      const n = count[j];
      if (n > maxS) maxS = n;
      if (n < minS) minS = n;
      const u = cpuUs[j] / (US * cores);
      if (u > cpu) cpu = u;
      cpuUs[j] = 0;
    }
    const t = Math.round(this.kernel.now / US);
    s.t.push(t);
    s.sessions.push(sessions);
    s.connections.push(connections);
    s.attempts.push(c.attempts);
    s.accepts.push(c.accepts);
    s.refused.push(c.refused);
    s.failed.push(c.failed);
    s.logicQps.push(c.logic);
    s.heartbeats.push(c.heartbeats);
    s.backlog.push(backlog);
    s.maxServer.push(maxS);
    s.minServer.push(minS === Infinity ? 0 : minS);
    s.cpuMax.push(cpu);
    this.kernel.trace.record(this.kernel.now, 'cl-s', this.name, sessions, connections, c.attempts, c.accepts, c.refused, c.failed, c.logic, c.heartbeats, backlog);
    c.attempts = c.accepts = c.refused = c.failed = c.logic = c.heartbeats = 0;
  }

  /** The series so far, as a copy. */
  copy(): LayerSeries {
    const s = this.s;
    return {
      t: [...s.t], sessions: [...s.sessions], connections: [...s.connections], attempts: [...s.attempts], accepts: [...s.accepts],
      refused: [...s.refused], failed: [...s.failed], logicQps: [...s.logicQps], heartbeats: [...s.heartbeats], backlog: [...s.backlog],
      maxServer: [...s.maxServer], minServer: [...s.minServer], cpuMax: [...s.cpuMax],
    };
  }

  /** Peaks of the per-second rates so far. */
  peaks(): { attemptsPerS: number; acceptsPerS: number; logicQps: number; refusedPerS: number; cpu: number } {
    const s = this.s;
    const max = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a), 0);
    return { attemptsPerS: max(s.attempts), acceptsPerS: max(s.accepts), logicQps: max(s.logicQps), refusedPerS: max(s.refused), cpu: max(s.cpuMax) };
  }
}
