// The deck's monitoring over HTTP: Prometheus /metrics (the Monitor's metrics plus Node's process
// metrics), /stats (the STATS text), and the live dashboard -- a page that fetches /dashboard/data
// every second and draws the deck's table and the vs-yesterday chart with vega, served from
// node_modules (no CDN: the page works offline). The specs are built here, by src/viz/dashboard.ts,
// so the page, the notebooks and the tests draw the same pictures; the browser renders them, which
// keeps rendering off the server's event loop.
import { readFileSync } from 'node:fs';
import type * as http from 'node:http';
import { prometheusRegistry, statsText, type MessageKind, type Monitor } from '../../monitor';
import type { Clock } from '../../ports';
import { deckTableChart, shortNumber, vsYesterdayChart } from '../../viz/dashboard';
import { epochClock } from '../monitoring';
import { dashboardPage } from './dashboard-page';
import type { HttpRoute } from './http-server';

export interface MonitoringRoutesOptions {
  monitor: Monitor;
  clock?: Clock;
  /** This connection server's number in the monitor (its own rows 1–4). Default 0. */
  server?: number;
  /** How often the dashboard page refreshes, ms (default 1000). */
  refreshMs?: number;
  /** Labels on every Prometheus series. */
  labels?: Record<string, string>;
}

/** What /dashboard/data answers: the deck's table and message statistics, as numbers and as vega-lite specs. */
export interface DashboardData {
  /** Epoch ms the numbers are for. */
  t: number;
  server: number;
  /** The table's rows now; `shown` is the value as the table cell shows it (12.3k). */
  rows: { n: number; name: string; zh: string; en: string; value: number; shown: string }[];
  messages: ReturnType<Monitor['messageStats']>;
  /** Messages today so far, the current minute included. */
  today: Record<MessageKind, number>;
  specs: { table: object; vsYesterday: object };
}

/** The vega builds the page loads (UMD, one global each), read once. */
function asset(module: string): () => Buffer {
  let bytes: Buffer | null = null;
  return () => (bytes ??= readFileSync(require.resolve(module)));
}

export function dashboardData(monitor: Monitor, opts: { server?: number; now: number; chinese?: boolean }): DashboardData {
  monitor.advance(opts.now);
  const server = opts.server ?? 0;
  // each curve ends with the value now, so it moves while you watch (the current value has the same
  // meaning as a minute's point: a rate over a minute, a count over a minute, a gauge)
  const table = monitor.table({ server, history: 60 }).map((r) => ({ ...r, history: [...r.history, r.value] }));
  const messages = monitor.messageStats();
  return {
    t: Math.floor(opts.now / 1000),
    server,
    rows: table.map(({ n, name, zh, en, value }) => ({ n, name, zh, en, value, shown: shortNumber(value) })),
    messages,
    today: { text: monitor.messagesToday('text'), image: monitor.messagesToday('image') },
    specs: {
      table: deckTableChart(table, { chinese: opts.chinese, width: 320 }),
      vsYesterday: vsYesterdayChart(messages, { width: 210, height: 220 }),
    },
  };
}

export function monitoringRoutes(opts: MonitoringRoutesOptions): HttpRoute[] {
  const { monitor } = opts;
  const clock = opts.clock ?? epochClock();
  const server = opts.server ?? 0;
  const registry = prometheusRegistry(monitor, { processMetrics: true, labels: opts.labels });
  const vega = asset('vega/build/vega.min.js');
  const vegaLite = asset('vega-lite/build/vega-lite.min.js');
  const page = dashboardPage({ refreshMs: opts.refreshMs ?? 1000 });

  const send = (res: http.ServerResponse, type: string, body: string | Buffer, more: Record<string, string> = {}) => {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...more });
    res.end(body);
  };
  const noStore = { 'Cache-Control': 'no-store' };

  return [
    {
      path: '/metrics', about: "Prometheus exposition: the deck's metrics (imsim_*) and Node's process metrics",
      methods: {
        GET: async (_req, res) => {
          monitor.advance(clock.now());
          send(res, registry.contentType, await registry.metrics(), noStore);
        },
      },
    },
    {
      path: '/stats', about: "the deck's monitoring as INFO-like text (what STATS answers over RESP)",
      methods: {
        GET: (req, res) => {
          monitor.advance(clock.now());
          const sections = new URL(req.url ?? '/', 'http://x').searchParams.getAll('section').map((s) => s.toLowerCase());
          send(res, 'text/plain; charset=utf-8', statsText(monitor, { server, sections }), noStore);
        },
      },
    },
    {
      path: '/dashboard', about: "the live dashboard: the deck's monitoring table, history curves, messages vs yesterday (?lang=en)",
      methods: { GET: (_req, res) => send(res, 'text/html; charset=utf-8', page, noStore) },
    },
    {
      path: '/dashboard/data', about: 'what the dashboard draws, as JSON (numbers and vega-lite specs)',
      methods: {
        GET: (req, res) => {
          const lang = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
          const data = dashboardData(monitor, { server, now: clock.now(), chinese: lang !== 'en' });
          send(res, 'application/json; charset=utf-8', JSON.stringify(data), noStore);
        },
      },
    },
    { path: '/dashboard/vega.js', methods: { GET: (_req, res) => send(res, 'text/javascript; charset=utf-8', vega(), { 'Cache-Control': 'max-age=86400' }) } },
    { path: '/dashboard/vega-lite.js', methods: { GET: (_req, res) => send(res, 'text/javascript; charset=utf-8', vegaLite(), { 'Cache-Control': 'max-age=86400' }) } },
  ];
}
