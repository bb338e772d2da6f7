import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanStderr, executeNotebooks, listNotebooks, projectRoot } from '../../src/report/notebooks';
import { indexHtml } from '../../src/report/index-page';
import { reportCommand } from '../../src/cli/report';

// These run real tslab kernels (2-4 s each) through Debian's Jupyter.
const root = projectRoot();
const fixtures = path.join(root, 'test', 'fixtures', 'notebooks');
const fx = (name: string) => path.join(fixtures, name);
let tmp: string;

beforeAll(() => {
  // the fixtures import the built package by name, like the real notebooks
  if (!fs.existsSync(path.join(root, 'dist', 'viz', 'index.js'))) {
    throw new Error('dist/ is not built (or predates src/viz): run bash scripts/setup.sh first');
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imsim-report-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('listNotebooks', () => {
  it('lists *.ipynb sorted, absolute, without checkpoints', () => {
    expect(listNotebooks(fixtures).map((p) => path.basename(p))).toEqual([
      '00-how-to-use-these-notebooks.ipynb', 'fail.ipynb', 'pass.ipynb',
    ]);
    expect(listNotebooks(fixtures).every((p) => path.isAbsolute(p))).toBe(true);
    expect(listNotebooks(path.join(tmp, 'missing'))).toEqual([]);
  });
});

describe('cleanStderr', () => {
  it('drops Debian python debugger noise and nbconvert progress', () => {
    const noisy = [
      '0.00s - Debugger warning: It seems that frozen modules are being used, which may',
      '0.00s - make sure to disable the debugger (PYDEVD_DISABLE_FILE_VALIDATION=1)',
      '[NbConvertApp] Converting notebook x.ipynb to notebook',
      'real problem',
    ].join('\n');
    expect(cleanStderr(noisy)).toBe('real problem');
  });
});

describe('executeNotebooks', () => {
  it('reports ok for a passing notebook and the cell error for a failing one', async () => {
    const lines: string[] = [];
    const [pass, fail] = await executeNotebooks({ notebooks: [fx('pass.ipynb'), fx('fail.ipynb')], timeoutSec: 60, onProgress: (l) => lines.push(l) });
    expect(pass).toMatchObject({ notebook: fx('pass.ipynb'), ok: true });
    expect(pass.error).toBeUndefined();
    expect(pass.seconds).toBeGreaterThan(0);
    expect(fail.ok).toBe(false);
    expect(fail.error).toContain('cell 2 failed');
    expect(fail.error).toContain('fixture boom: cell 2 fails on purpose');
    expect(fail.error).not.toContain('never reached');
    expect(lines.some((l) => /pass\.ipynb .* ok$/.test(l))).toBe(true);
    expect(lines.some((l) => /fail\.ipynb .* FAILED$/.test(l))).toBe(true);
  }, 120_000);

  it('writes executed notebooks and HTML (with the SVG charts) into outDir', async () => {
    const out = path.join(tmp, 'exec');
    const [r] = await executeNotebooks({ notebooks: [fx('00-how-to-use-these-notebooks.ipynb')], outDir: out, html: true, timeoutSec: 120 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.output).toBe(path.join(out, '00-how-to-use-these-notebooks.ipynb'));
    const executed = JSON.parse(fs.readFileSync(r.output!, 'utf8'));
    const mimes = executed.cells.flatMap((c: any) => (c.outputs ?? []).flatMap((o: any) => Object.keys(o.data ?? {})));
    expect(mimes).toEqual(expect.arrayContaining(['image/svg+xml', 'application/vnd.vegalite.v5+json', 'text/html', 'text/markdown']));
    const html = fs.readFileSync(r.html!, 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('Median latency');
    expect(html).not.toMatch(/mathjax/i); // self-contained: nothing to load from elsewhere
  }, 120_000);

  it('needs outDir for html', async () => {
    await expect(executeNotebooks({ notebooks: [], html: true })).rejects.toThrow(/outDir/);
  });
});

describe('imsim report', () => {
  it('writes HTML reports and an index, and exits 1 with the failing cell', async () => {
    const out = path.join(tmp, 'reports');
    const logged: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void logged.push(a.join(' ')));
    try {
      expect(await reportCommand(['--out', out, '--timeout', '60', fx('pass.ipynb'), fx('fail.ipynb')])).toBe(1);
    } finally {
      log.mockRestore();
    }
    const text = logged.join('\n');
    expect(text).toMatch(/FAILED fail\.ipynb/);
    expect(text).toContain('fixture boom');
    expect(text).toContain(path.join(out, 'index.html'));
    for (const f of ['pass.html', 'fail.html', 'index.html']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('href="pass.html"');
    expect(index).toContain('FAILED');
  }, 120_000);

  it('--help exits 0; bad usage exits 2', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await reportCommand(['--help'])).toBe(0);
      expect(await reportCommand(['--bogus'])).toBe(2);
      expect(await reportCommand(['no-such-notebook'])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });

  it('index page escapes errors and links reports relative to the out dir', () => {
    const html = indexHtml(
      [{ notebook: '/x/a b.ipynb', ok: false, seconds: 1.25, html: '/out/a b.html', error: '<boom>' }],
      '/out', new Date(0),
    );
    expect(html).toContain('href="a%20b.html"');
    expect(html).toContain('&lt;boom&gt;');
    expect(html).toContain('1.3 s');
  });
});
