// `imsim report`: run the notebooks headlessly (tslab kernel) and write HTML reports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executeNotebooks, listNotebooks, projectRoot } from '../report/notebooks';
import { indexHtml } from '../report/index-page';

const HELP = `usage: npx imsim report [--out DIR] [--timeout SEC] [NOTEBOOK...]

Executes Jupyter notebooks headlessly with the tslab TypeScript kernel, one after the other,
and writes an HTML report per notebook plus DIR/index.html linking them with their status.

  NOTEBOOK       .ipynb paths, or names inside <project>/notebooks (".ipynb" optional);
                 default: every notebook in <project>/notebooks
  --out DIR      where reports go (default <project>/reports); the executed .ipynb land there too
  --timeout SEC  per-cell time limit (default 300)
  -h, --help     this text

Notebooks import the built package (dist/): run "bash scripts/setup.sh" (or "npm start") after
changing src/. Exit status: 0 all ok, 1 some notebook failed (its failing cell is printed), 2 usage.`;

function resolveNotebook(arg: string, root: string): string | undefined {
  const candidates = [
    path.resolve(arg),
    path.join(root, 'notebooks', arg),
    path.join(root, 'notebooks', `${arg}.ipynb`),
  ];
  return candidates.find((p) => p.endsWith('.ipynb') && fs.existsSync(p));
}

export async function reportCommand(argv: string[]): Promise<number> {
  const root = projectRoot();
  let outDir = path.join(root, 'reports');
  let timeoutSec = 300;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (flag: string): string | undefined => (a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : a === flag ? argv[++i] : undefined);
    if (a === '-h' || a === '--help') {
      console.log(HELP);
      return 0;
    } else if (a === '--out' || a.startsWith('--out=')) {
      const v = value('--out');
      if (!v) return usage('--out needs a directory');
      outDir = path.resolve(v);
    } else if (a === '--timeout' || a.startsWith('--timeout=')) {
      const v = Number(value('--timeout'));
      if (!(v > 0)) return usage('--timeout needs a positive number of seconds');
      timeoutSec = v;
    } else if (a.startsWith('-')) {
      return usage(`unknown option ${a}`);
    } else {
      names.push(a);
    }
  }

  const notebooks: string[] = [];
  for (const n of names) {
    const p = resolveNotebook(n, root);
    if (!p) return usage(`no such notebook: ${n}`);
    notebooks.push(p);
  }
  if (names.length === 0) notebooks.push(...listNotebooks(path.join(root, 'notebooks')));
  if (notebooks.length === 0) {
    console.error(`imsim report: no notebooks found in ${path.join(root, 'notebooks')}`);
    return 1;
  }

  console.log(`imsim report: ${notebooks.length} notebook(s) -> ${outDir}`);
  const t0 = Date.now();
  const results = await executeNotebooks({ notebooks, outDir, html: true, timeoutSec, onProgress: (l) => console.log(`  ${l}`) });
  const index = path.join(outDir, 'index.html');
  fs.writeFileSync(index, indexHtml(results, outDir));

  const failed = results.filter((r) => !r.ok);
  for (const r of failed) {
    console.log(`\nFAILED ${path.basename(r.notebook)}:\n${(r.error ?? 'unknown error').replace(/^/gm, '  ')}`);
  }
  console.log(`\n${results.length - failed.length}/${results.length} ok in ${((Date.now() - t0) / 1000).toFixed(1)} s. Reports:`);
  for (const r of results) if (r.html) console.log(`  ${r.html}${r.ok ? '' : '  (FAILED)'}`);
  console.log(`  ${index}\nopen ${path.relative(process.cwd(), index) || index} in a browser`);
  console.log(NEXT_STEP);
  return failed.length ? 1 : 0;
}

/** What to try after the notebooks: the command line, and the README's tour. */
export const NEXT_STEP = 'next: `npx imsim --help` lists the commands; the README\'s "A tour in ten minutes" runs each of them';

function usage(msg: string): number {
  console.error(`imsim report: ${msg}\n\n${HELP}`);
  return 2;
}
