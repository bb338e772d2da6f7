// The `stats` command's reply: the Monitor read as Redis's INFO is written -- `# Section` headers,
// `name:value` lines, CRLF -- with the deck's metric names, so redis-cli, scripts and humans read it
// alike. Composite values follow INFO's `db0:keys=1,expires=0` form.
import { KINDS, PHASES, PLATFORMS, type Monitor } from './monitor';

export interface StatsTextOptions {
  /** The connection server this process is (its own row: cmd, htime, cmdq, error). Default 0. */
  server?: number;
  /** Sections to include (lower case); empty or 'all' / 'everything' / 'default' = all of them. */
  sections?: string[];
  /** Extra `name:value` lines of the Server section (e.g. the htime threshold). */
  serverInfo?: Record<string, string | number>;
}

export const STATS_SECTIONS = ['server', 'sum', 'sessions', 'platforms', 'messages', 'totals'] as const;
/**
 * Sections that are not the deck's: left out of the default (and of `all`, which is the deck's table), shown when
 * asked for by name or with `everything` (as Redis's INFO leaves some sections to `everything`).
 */
export const STATS_EXTRA_SECTIONS = ['slow-consumers'] as const;

/** A rate with two decimals, a count as an integer. */
const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** INFO-like text of the deck's monitoring table, now (advance the monitor to now first). */
export function statsText(monitor: Monitor, opts: StatsTextOptions = {}): string {
  const server = opts.server ?? 0;
  const asked = (opts.sections ?? []).filter((s) => !['all', 'everything', 'default'].includes(s));
  const everything = (opts.sections ?? []).includes('everything');
  const want = (s: string) => ((STATS_EXTRA_SECTIONS as readonly string[]).includes(s)
    ? everything || asked.includes(s)
    : asked.length === 0 || asked.includes(s));
  const out: string[] = [];
  const section = (name: string, lines: [string, string | number][]) => {
    if (!want(name.toLowerCase())) return;
    if (out.length) out.push('');
    out.push(`# ${name[0].toUpperCase()}${name.slice(1)}`);
    for (const [k, v] of lines) out.push(`${k}:${typeof v === 'number' ? num(v) : v}`);
  };
  section('server', [
    ['server', server],
    ...Object.entries(opts.serverInfo ?? {}),
    ['cmd', monitor.current('cmd', server)],
    ['htime', monitor.current('htime', server)],
    ['cmdq', monitor.current('cmdq', server)],
    ['error', monitor.current('error', server)],
  ]);
  section('sum', [
    ['servers', monitor.serverCount],
    ['cmd_sum', monitor.current('cmd')],
    ['htime_sum', monitor.current('htime')],
    ['cmdq_sum', monitor.current('cmdq')],
    ['error_sum', monitor.current('error')],
  ]);
  section('sessions', [['tot-ses', monitor.current('tot-ses')], ...PHASES.map((p): [string, number] => [p, monitor.current(p)])]);
  section('platforms', PLATFORMS.map((p): [string, number] => [p, monitor.current(p)]));
  section('messages', monitor.messageStats().map((w): [string, string] => [
    `${w.kind}_${w.window}`, `now=${w.now},yesterday=${w.yesterday},ratio=${w.ratio === null ? '-' : w.ratio.toFixed(2)}`,
  ]));
  const totals = monitor.totals();
  section('totals', [
    ['cmd_total', totals.cmd], ['htime_total', totals.htime], ['error_total', totals.error],
    ...KINDS.map((k): [string, number] => [`${k}_total`, monitor.messageTotal(k)]),
  ]);
  const slow = monitor.slowConsumerTotals();
  section('slow-consumers', [
    ['slow_consumer_pushes_dropped_total', slow.dropped],
    ['slow_consumer_disconnects_total', slow.disconnect],
  ]);
  return out.join('\r\n') + (out.length ? '\r\n' : '');
}
