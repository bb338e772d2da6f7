// reports/index.html: one row per executed notebook, linking its HTML report, with status,
// time, and the error of a failed one folded underneath.
import * as path from 'node:path';
import type { NotebookResult } from './notebooks';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function indexHtml(results: NotebookResult[], outDir: string, generatedAt: Date = new Date()): string {
  const rows = results.map((r) => {
    const name = path.basename(r.notebook, '.ipynb');
    const link = r.html ? `<a href="${esc(encodeURI(path.relative(outDir, r.html).split(path.sep).join('/')))}">${esc(name)}</a>` : esc(name);
    const status = r.ok ? '<span class="ok">ok</span>' : '<span class="failed">FAILED</span>';
    const err = r.error ? `<details${r.ok ? '' : ' open'}><summary>error</summary><pre>${esc(r.error)}</pre></details>` : '';
    return `<tr><td>${link}${err}</td><td>${status}</td><td class="num">${r.seconds.toFixed(1)} s</td></tr>`;
  });
  const failed = results.filter((r) => !r.ok).length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>imsim notebook reports</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #999; } .num { text-align: right; white-space: nowrap; }
.ok { color: #2a7d2a; font-weight: bold; } .failed { color: #c62828; font-weight: bold; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 12px; }
</style></head><body>
<h1>imsim notebook reports</h1>
<p>${results.length} notebook(s), ${failed ? `<span class="failed">${failed} failed</span>` : 'all ok'}; generated ${esc(generatedAt.toISOString())} by <code>imsim report</code>.</p>
<table><thead><tr><th>notebook</th><th>status</th><th>time</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
