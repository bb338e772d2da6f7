// The deck's monitoring wired into the real server: the gateway reports cmd, error, htime and session
// phases, the logic layer counts messages by kind, and a sampler reads the backlog between the layers
// (cmdq) every `sampleMs`. Time is epoch microseconds, so "the same period yesterday" is yesterday.
import type { GatewayOptions } from '../connection/gateway';
import { DEFAULT_HTIME_US } from '../connection/gateway';
import type { LogicOptions } from '../logic/logic-layer';
import { statsText, type Monitor } from '../monitor';
import type { Clock } from '../ports';

/** Microseconds since the Unix epoch, from the monotonic clock (no jumps when the wall clock is set). */
export function epochClock(): Clock {
  const origin = performance.timeOrigin;
  return { now: () => Math.round((origin + performance.now()) * 1000) };
}

export interface ServerMonitoringOptions {
  /** This connection server's number in the monitor (default: the gateway id, 0). */
  server?: number;
  /** htime threshold, µs (default 500 ms). */
  htimeUs?: number;
  /** How often cmdq is sampled, ms (default 100). */
  sampleMs?: number;
  clock?: Clock;
}

export interface ServerMonitoring {
  readonly monitor: Monitor;
  readonly clock: Clock;
  readonly gateway: Pick<GatewayOptions, 'monitor' | 'clock' | 'htimeUs' | 'stats'>;
  readonly logic: Pick<LogicOptions, 'monitor' | 'clock'>;
  /** Starts sampling cmdq from `backlog` (requests between the layers, not answered yet). */
  start(backlog: () => number): void;
  stop(): void;
}

export function serverMonitoring(monitor: Monitor, opts: ServerMonitoringOptions = {}): ServerMonitoring {
  const clock = opts.clock ?? epochClock();
  const server = opts.server ?? 0;
  const htimeUs = opts.htimeUs ?? DEFAULT_HTIME_US;
  let timer: NodeJS.Timeout | null = null;
  return {
    monitor, clock,
    gateway: {
      monitor, clock, htimeUs,
      stats: (sections) => {
        monitor.advance(clock.now());
        return statsText(monitor, { server, sections, serverInfo: { htime_timeout_ms: htimeUs / 1000 } });
      },
    },
    logic: { monitor, clock },
    start(backlog) {
      if (timer) return;
      const sample = () => monitor.cmdq(clock.now(), server, backlog());
      sample();
      timer = setInterval(sample, opts.sampleMs ?? 100);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
