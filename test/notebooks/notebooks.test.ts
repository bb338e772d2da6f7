import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeNotebooks, listNotebooks, projectRoot } from '../../src/report/notebooks';

// Executes every notebook in <root>/notebooks with the tslab kernel (needs dist/ built and
// the kernel registered: `npm test` runs scripts/setup.sh first). One test per notebook.
// IMSIM_NOTEBOOKS=04,06 runs only the notebooks whose names contain one of those strings.
const dir = path.join(projectRoot(), 'notebooks');
const only = (process.env.IMSIM_NOTEBOOKS ?? '').split(',').filter((s) => s);
const notebooks = listNotebooks(dir).filter((nb) => only.length === 0 || only.some((s) => path.basename(nb).includes(s)));

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }
interface Cell { cell_type: string; outputs?: Output[] }
const text = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : t ?? '');

/**
 * What a reader of the executed notebook should never see: a cell writing to stderr (vega's warnings, a
 * library's console.warn) and a chart with NaN coordinates (drawn empty or broken).
 */
export function outputProblems(cells: Cell[]): string[] {
  const problems: string[] = [];
  cells.forEach((c, i) => {
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`cell ${i + 1} wrote to stderr: ${text(o.text).trim().slice(0, 300)}`);
      const svg = text(o.data?.['image/svg+xml']);
      const nan = svg.match(/NaN/g)?.length ?? 0;
      if (nan > 0) problems.push(`cell ${i + 1}: a chart has ${nan} NaN coordinate(s) in its SVG`);
    }
  });
  return problems;
}

describe('notebooks/', () => {
  // Deliberately fails while notebooks/ is empty: an empty folder must not pass as "all ran".
  it('has notebooks', () => {
    expect(notebooks, `no notebooks found in ${dir}${only.length ? ` matching ${only.join(',')}` : ''}`).not.toHaveLength(0);
  });

  it('flags stderr and NaN in a notebook\'s outputs', () => {
    expect(outputProblems([
      { cell_type: 'code', outputs: [{ output_type: 'stream', name: 'stdout', text: 'ok' }, { output_type: 'display_data', data: { 'image/svg+xml': '<svg><path d="M1,2"/></svg>' } }] },
    ])).toEqual([]);
    expect(outputProblems([
      { cell_type: 'markdown' },
      { cell_type: 'code', outputs: [{ output_type: 'stream', name: 'stderr', text: ['WARN y-scale\'s "zero" is dropped'] }] },
      { cell_type: 'code', outputs: [{ output_type: 'display_data', data: { 'image/svg+xml': ['<svg><path d="M', 'NaN,NaN"/></svg>'] } }] },
    ])).toEqual(['cell 2 wrote to stderr: WARN y-scale\'s "zero" is dropped', 'cell 3: a chart has 2 NaN coordinate(s) in its SVG']);
  });

  it.each(notebooks.map((nb) => [path.basename(nb), nb]))('%s runs without errors, warnings or broken charts', async (_name, nb) => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imsim-nbtest-'));
    try {
      const [r] = await executeNotebooks({ notebooks: [nb], outDir, timeoutSec: 300 });
      if (!r.ok) throw new Error(`${path.basename(nb)} failed after ${r.seconds} s:\n${r.error}`);
      const executed = JSON.parse(fs.readFileSync(r.output!, 'utf8')) as { cells: Cell[] };
      expect(outputProblems(executed.cells), `${path.basename(nb)}: problems in the executed outputs`).toEqual([]);
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 600_000);
});
