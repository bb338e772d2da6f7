// The deck's monitoring dashboard as vega-lite v5 specs: the metric table (name, current value, history
// curve per row, as on the slide) and the message statistics against the same period yesterday. They
// take the Monitor's plain outputs, so a notebook and the live dashboard page draw the same pictures.
import type { TableRow, WindowComparison } from '../monitor';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** Pixels per table row, labels and curves alike. */
export const ROW_HEIGHT = 22;
/** Parts of a row's band left empty above and below its curve. */
const CURVE_TOP = 0.14;
const CURVE_BOTTOM = 0.2;

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
  const values = rows.map((r) => ({ row: label(r), value: shortNumber(r.value) }));
  // All curves are drawn in ONE chart whose y axis counts rows: row i owns [i, i + 1], the same band of
  // pixels as its label on the left (both charts are rows × ROW_HEIGHT tall), so a curve cannot drift away
  // from its label however many rows there are. Each curve is scaled to its own range (0 .. its max) within
  // the band, leaving a margin above and below.
  const n = rows.length;
  const points = rows.flatMap((r, i) => {
    const lo = Math.min(0, ...r.history), hi = Math.max(0, ...r.history);
    const frac = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0);
    return r.history.map((v, k) => ({
      row: label(r), ago: k - r.history.length + 1, v,
      top: i + 1 - CURVE_BOTTOM - (1 - CURVE_TOP - CURVE_BOTTOM) * frac(v), base: i + 1 - CURVE_BOTTOM,
    }));
  });
  const y = { field: 'row', type: 'nominal', sort: labels, title: null };
  const heading = (text: string) => ({ text, fontSize: 11, anchor: 'start' });
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    hconcat: [
      {
        width: 250, height: n * ROW_HEIGHT, data: { values },
        title: heading('metric · current value'),
        // point scale with padding 0.5: label i sits at the middle of [i, i + 1] rows
        layer: [
          { mark: { type: 'text', align: 'left', x: 0 }, encoding: { y: { ...y, axis: null }, text: { field: 'row' } } },
          { mark: { type: 'text', align: 'right', x: 250, fontWeight: 'bold' }, encoding: { y: { ...y, axis: null }, text: { field: 'value' } } },
        ],
      },
      {
        width: opts.width ?? 300, height: n * ROW_HEIGHT, data: { values: points },
        title: heading('history (per minute, now at the right)'),
        mark: { type: 'area', line: true, opacity: 0.3, interpolate: 'step-after' },
        encoding: {
          x: { field: 'ago', type: 'quantitative', axis: null, scale: { nice: false } },
          y: { field: 'top', type: 'quantitative', axis: null, scale: { domain: [0, Math.max(1, n)], reverse: true, nice: false, zero: false } },
          y2: { field: 'base' },
          detail: { field: 'row', type: 'nominal' },
          tooltip: [{ field: 'row' }, { field: 'v', title: 'value' }],
        },
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
