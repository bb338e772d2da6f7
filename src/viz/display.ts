// Rich output for tslab notebook cells. tslab is a devDependency that only matters inside
// the kernel, so it is required lazily: importing imsim elsewhere must not need it.
import { toSvg } from './render';

/** The slice of tslab's display API we use; raw() also passes JSON objects through as-is. */
interface TslabDisplay {
  html(s: string): void;
  markdown?(s: string): void;
  raw(contentType: string, data: unknown): void;
}

function tslabDisplay(): TslabDisplay {
  let mod: { display?: TslabDisplay };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('tslab');
  } catch {
    throw new Error('imsim display needs the tslab Jupyter kernel (package "tslab" is not installed; run bash scripts/setup.sh)');
  }
  if (!mod.display) throw new Error('imsim display: the installed tslab has no display API');
  return mod.display;
}

/** tslab throws a bare "Not ready" when no cell is executing: say what that means. */
function emit(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && /not ready/i.test(e.message)) {
      throw new Error('imsim display functions only work inside a tslab notebook cell (no Jupyter kernel is running); use toSvg() elsewhere');
    }
    throw e;
  }
}

/**
 * Renders a vega-lite spec and shows it as SVG (works in every Jupyter front end and in
 * nbconvert HTML). With vegaLite, also emits the spec for JupyterLab / VS Code's interactive
 * renderer, as a separate output (tslab sends one MIME type per output).
 */
export async function show(spec: object, opts: { vegaLite?: boolean } = {}): Promise<void> {
  const display = tslabDisplay();
  const svg = await toSvg(spec);
  emit(() => display.raw('image/svg+xml', svg));
  if (opts.vegaLite) emit(() => display.raw('application/vnd.vegalite.v5+json', spec));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Numbers shortened to ~4 significant digits so tables stay narrow; objects as JSON; NaN (undefined) as '–'. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '–'; // e.g. a mean over no messages: a reader should not see "NaN"
    if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(4)));
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A small styled HTML table; columns are the union of row keys in first-seen order. */
export function tableHtml(rows: Record<string, unknown>[], opts: { caption?: string } = {}): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const th = 'style="padding:3px 10px;border-bottom:2px solid #999;text-align:left"';
  const td = (v: unknown) =>
    `<td style="padding:2px 10px;border-bottom:1px solid #ddd;text-align:${typeof v === 'number' ? 'right' : 'left'}">${escapeHtml(cell(v))}</td>`;
  return [
    '<table style="border-collapse:collapse;font-size:13px;font-family:sans-serif;margin:4px 0">',
    opts.caption ? `<caption style="text-align:left;font-weight:bold;padding:2px 0 6px">${escapeHtml(opts.caption)}</caption>` : '',
    `<thead><tr>${cols.map((c) => `<th ${th}>${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${cols.map((c) => td(r[c])).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
}

export function showTable(rows: Record<string, unknown>[], opts: { caption?: string } = {}): void {
  const display = tslabDisplay();
  const html = tableHtml(rows, opts);
  emit(() => display.html(html));
}

/** Markdown output (tslab has display.markdown; older ones fall back to escaped preformatted HTML). */
export function showMarkdown(md: string): void {
  const display = tslabDisplay();
  if (typeof display.markdown === 'function') emit(() => display.markdown!(md));
  else emit(() => display.html(`<pre style="white-space:pre-wrap">${escapeHtml(md)}</pre>`));
}
