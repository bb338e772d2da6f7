// The deck's metrics in Prometheus' exposition format (prom-client), read from a Monitor at scrape time.
// Prometheus names cannot hold '-', so the deck's names become labels: imsim_sessions{phase="p-ses"}.
// Counters are the totals since start (Prometheus computes rates); gauges are the Monitor's values now.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { KINDS, PHASES, PLATFORMS, type Monitor } from './monitor';

export interface PrometheusOptions {
  /** Also export Node's process metrics (memory, event-loop lag, GC): prom-client's defaults. */
  processMetrics?: boolean;
  /** Labels on every series, e.g. { role: 'connection', instance: '7379' }. */
  labels?: Record<string, string>;
}

/** A registry whose metrics are the Monitor's, collected at each scrape: `await reg.metrics()`. */
export function prometheusRegistry(monitor: Monitor, opts: PrometheusOptions = {}): Registry {
  const reg = new Registry();
  if (opts.labels) reg.setDefaultLabels(opts.labels);
  if (opts.processMetrics) collectDefaultMetrics({ register: reg });
  const servers = () => Array.from({ length: monitor.serverCount }, (_, s) => s);

  /** A counter per server, read from the monitor's totals at scrape time. */
  const counter = (name: string, help: string, total: (server: number) => number) =>
    new Counter({
      name, help, labelNames: ['server'], registers: [reg],
      collect() {
        this.reset();
        for (const s of servers()) this.inc({ server: String(s) }, total(s));
      },
    });
  counter('imsim_cmd_total', 'Requests received by the connection layer (the deck\'s cmd; rate() of it is cmd/s, sum() is cmd_sum).', (s) => monitor.totals(s).cmd);
  counter('imsim_htime_total', 'Requests that timed out (the deck\'s htime).', (s) => monitor.totals(s).htime);
  counter('imsim_error_total', 'Requests answered with an error (the deck\'s error).', (s) => monitor.totals(s).error);
  // Not the deck's metrics: what the connection layer's output buffer did to clients that cannot keep up.
  counter('imsim_slow_consumer_pushes_dropped_total', 'Pushes dropped by the output buffer\'s slow-consumer policy (drop-newest / drop-oldest); not one of the deck\'s metrics.',
    (s) => monitor.slowConsumerTotals(s).dropped);
  counter('imsim_slow_consumer_disconnects_total', 'Connections closed by the output buffer\'s slow-consumer policy (disconnect); not one of the deck\'s metrics.',
    (s) => monitor.slowConsumerTotals(s).disconnect);

  new Gauge({
    name: 'imsim_cmdq', help: 'Requests queued between the connection and the logic layer (the deck\'s cmdq).',
    labelNames: ['server'], registers: [reg],
    collect() {
      for (const s of servers()) this.set({ server: String(s) }, monitor.current('cmdq', s));
    },
  });
  new Gauge({
    name: 'imsim_tot_ses', help: 'Connections held (the deck\'s tot-ses).', labelNames: ['server'], registers: [reg],
    collect() {
      for (const s of servers()) this.set({ server: String(s) }, monitor.current('tot-ses', s));
    },
  });
  new Gauge({
    name: 'imsim_sessions', help: 'Connections by phase: iop-ses (connected), p-ses (waiting for login), session (logged in).',
    labelNames: ['server', 'phase'], registers: [reg],
    collect() {
      for (const s of servers()) for (const phase of PHASES) this.set({ server: String(s), phase }, monitor.current(phase, s));
    },
  });
  new Gauge({
    name: 'imsim_sessions_by_platform', help: 'Connections by client platform (ios, eios, android, wp).',
    labelNames: ['server', 'platform'], registers: [reg],
    collect() {
      for (const s of servers()) for (const platform of PLATFORMS) this.set({ server: String(s), platform }, monitor.current(platform, s));
    },
  });
  new Counter({
    name: 'imsim_messages_total', help: 'Messages stored by the logic layer, by kind (text, or image: a media reference whose bytes went over HTTP).',
    labelNames: ['kind'], registers: [reg],
    collect() {
      this.reset();
      for (const kind of KINDS) this.inc({ kind }, monitor.messageTotal(kind));
    },
  });
  return reg;
}
