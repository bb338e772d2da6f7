import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeNotebooks, listNotebooks, projectRoot } from '../../src/report/notebooks';

// Executes every notebook in <root>/notebooks with the tslab kernel (needs dist/ built and
// the kernel registered: `npm test` runs scripts/setup.sh first). One test per notebook.
const dir = path.join(projectRoot(), 'notebooks');
const notebooks = listNotebooks(dir);

describe('notebooks/', () => {
  // Deliberately fails while notebooks/ is empty: an empty folder must not pass as "all ran".
  it('has notebooks', () => {
    expect(notebooks, `no notebooks found in ${dir}`).not.toHaveLength(0);
  });

  it.each(notebooks.map((nb) => [path.basename(nb), nb]))('%s runs without errors', async (_name, nb) => {
    const [r] = await executeNotebooks({ notebooks: [nb], timeoutSec: 300 });
    if (!r.ok) throw new Error(`${path.basename(nb)} failed after ${r.seconds} s:\n${r.error}`);
  }, 600_000);
});
