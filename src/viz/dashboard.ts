// The deck's monitoring dashboard as vega-lite v5 specs: the metric table (name, current value, history
// curve per row, as on the slide) and the message statistics against the same period yesterday. They
// take the Monitor's plain outputs, so a notebook and the live dashboard page draw the same pictures.
import type { TableRow, WindowComparison } from '../monitor';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** A compact number for a table cell: 12345 -> 12.3k, 0.25 -> 0.25. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(a >= 100 ? 0 : a >= 1 ? 1 : 2);
}

/**
 * The deck's table, rows 1–16: the metric's number and name (with the slide's Chinese name), its current
 * value and its history curve (one point per minute, `minuteLabels` minutes before now on the x axis).
 */
export function deckTableChart(rows: TableRow[], opts: { title?: string; width?: number; chinese?: boolean } = {}): object {
  const label = (r: TableRow) => `${r.n}. ${opts.chinese === false ? r.en : r.zh} (${r.name})`;
  const labels = rows.map(label);
  const points = rows.flatMap((r) => r.history.map((v, i) => ({ row: label(r), ago: i - r.history.length + 1, v })));
  const values = rows.map((r) => ({ row: label(r), value: shortNumber(r.value) }));
  const rowHeight = 22;
  const y = { field: 'row', type: 'nominal', sort: labels, title: null };
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    hconcat: [
      {
        width: 250, height: rows.length * rowHeight, data: { values },
        title: { text: 'metric · current value', fontSize: 11, anchor: 'start' },
        layer: [
          { mark: { type: 'text', align: 'left', x: 0 }, encoding: { y: { ...y, axis: null }, text: { field: 'row' } } },
          { mark: { type: 'text', align: 'right', x: 250, fontWeight: 'bold' }, encoding: { y: { ...y, axis: null }, text: { field: 'value' } } },
        ],
      },
      {
        width: opts.width ?? 300, height: rowHeight, data: { values: points },
        facet: { row: { field: 'row', sort: labels, header: null } },
        spacing: 0,
        title: { text: 'history (per minute, now at the right)', fontSize: 11, anchor: 'start' },
        spec: {
          width: opts.width ?? 300, height: rowHeight - 4,
          mark: { type: 'area', line: true, opacity: 0.3, interpolate: 'step-after' },
          encoding: {
            x: { field: 'ago', type: 'quantitative', axis: null, scale: { nice: false } },
            y: { field: 'v', type: 'quantitative', axis: null, scale: { zero: true, nice: false } },
          },
        },
        resolve: { scale: { y: 'independent' } },
      },
    ],
    config: { view: { stroke: null } },
  };
}

const WINDOW_LABEL: Record<WindowComparison['window'], string> = {
  today: 'today so far', '1m': 'last minute', '5m': 'last 5 min', '10m': 'last 10 min', '15m': 'last 15 min',
};

/** The deck's message statistics: now against the same period yesterday, per window, text and image side by side. */
export function vsYesterdayChart(stats: WindowComparison[], opts: { title?: string; width?: number; height?: number } = {}): object {
  const windows = [...new Set(stats.map((s) => WINDOW_LABEL[s.window]))];
  const values = stats.flatMap((s) => [
    { kind: s.kind, window: WINDOW_LABEL[s.window], when: 'now', count: s.now, ratio: s.ratio === null ? '' : `×${s.ratio.toFixed(2)}` },
    { kind: s.kind, window: WINDOW_LABEL[s.window], when: 'same period yesterday', count: s.yesterday, ratio: '' },
  ]);
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values },
    facet: { column: { field: 'kind', type: 'nominal', title: null, header: { labelFontSize: 12, labelExpr: "datum.value + ' messages'" } } },
    spec: {
      width: opts.width ?? 260, height: opts.height ?? 200,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'window', type: 'nominal', sort: windows, title: null, axis: { labelAngle: -30 } },
            xOffset: { field: 'when', type: 'nominal', sort: ['now', 'same period yesterday'] },
            y: { field: 'count', type: 'quantitative', title: 'messages', scale: { type: 'symlog' } },
            color: { field: 'when', type: 'nominal', title: null, sort: ['now', 'same period yesterday'], legend: { orient: 'top', labelLimit: 240 } },
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 10 },
          encoding: {
            x: { field: 'window', type: 'nominal', sort: windows },
            xOffset: { field: 'when', type: 'nominal', sort: ['now', 'same period yesterday'] },
            y: { field: 'count', type: 'quantitative' },
            text: { field: 'ratio' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}
