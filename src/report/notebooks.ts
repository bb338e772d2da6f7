// Headless notebook execution through Debian's Jupyter (nbclient/nbconvert + the tslab kernel;
// see driver.ts for why not the nbconvert CLI).
// Sequential on purpose: the machine has 2 cores and each tslab kernel compiles TypeScript.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DRIVER_PY } from './driver';

export interface NotebookResult {
  /** absolute path of the source notebook */
  notebook: string;
  ok: boolean;
  seconds: number;
  /** executed notebook (only when outDir was given) */
  output?: string;
  /** rendered HTML (only with html: true, which needs outDir); written for failed runs too */
  html?: string;
  /** useful tail of the failure: the failing cell and its error */
  error?: string;
}

export interface ExecuteOptions {
  notebooks: string[];
  /** where executed .ipynb (and .html) go; default a temp folder that is removed afterwards */
  outDir?: string;
  html?: boolean;
  /** per-cell timeout, seconds (default 300) */
  timeoutSec?: number;
  onProgress?: (line: string) => void;
}

/** Debian's interpreter: the Jupyter packages and the registered tslab kernelspec live there. */
const PYTHON = '/usr/bin/python3';

/** The folder holding imsim's package.json, from src/report or dist/report alike. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'imsim') return dir;
    if (path.dirname(dir) === dir) throw new Error(`imsim package.json not found above ${from}`);
  }
}

/** Sorted absolute paths of the *.ipynb in dir (not recursive; Jupyter checkpoints skipped). */
export function listNotebooks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.endsWith('-checkpoint.ipynb') && !f.startsWith('.'))
    .sort()
    .map((f) => path.resolve(dir, f));
}

const NOISE = [
  /frozen modules/i, /PYDEVD_DISABLE_FILE_VALIDATION/, /Xfrozen_modules/, /make sure to disable the debugger/i,
  /^\s*-+\s*$/, /^\[NbConvertApp\] (Converting|Writing|Executing|Support files)/,
];

/** Drops Debian-python debugger chatter and nbconvert's progress lines; strips ANSI colours. */
export function cleanStderr(stderr: string): string {
  return stderr
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => !NOISE.some((re) => re.test(l)))
    .join('\n')
    .trim();
}

interface Run { code: number | null; stdout: string; stderr: string; timedOut: boolean }

function run(args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  const root = projectRoot();
  const env = {
    ...process.env,
    // the tslab kernelspec runs plain `tslab`: it must resolve to this project's copy
    PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  return new Promise((resolve, reject) => {
    // detached: own process group, so the guard below can stop python and its kernel together
    const child = spawn(PYTHON, ['-Xfrozen_modules=off', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '', stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const kill = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig); } catch { /* already gone */ } };
    let hard: NodeJS.Timeout | undefined;
    // Whole-notebook guard on top of nbclient's per-cell timeout.
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      hard = setTimeout(() => kill('SIGKILL'), 5000);
    }, timeoutMs);
    const done = () => { clearTimeout(timer); clearTimeout(hard); };
    child.on('error', (e) => { done(); reject(e); });
    child.on('close', (code) => { done(); resolve({ code, stdout, stderr, timedOut }); });
  });
}

interface Failure {
  kind: string; message: string; cell: number | null; source: string | null; stderr: string; error_outputs: string[];
}

/** Stack frames of tslab's own machinery and node's vm: never the notebook author's business. */
const KERNEL_FRAMES = /^\s+at .*(node:vm|node:internal|tslab[\\/]dist|sigintHandlersWrap)/;

/** "cell N failed", its source, then what the kernel printed (tslab reports errors on stderr). */
export function formatFailure(f: Failure): string {
  const parts = [f.cell === null ? `${f.kind} before any cell ran` : `cell ${f.cell + 1} failed (${f.kind})`];
  if (f.source) parts.push('--- cell source ---', f.source.trimEnd());
  const said = [f.stderr.trimEnd(), ...f.error_outputs].filter((x) => x).join('\n')
    .split('\n').filter((l) => !KERNEL_FRAMES.test(l)).join('\n');
  if (said) parts.push('--- error ---', said);
  // nbclient's own message only adds something when the kernel said nothing, or on timeouts etc.
  if (!said || f.kind !== 'CellExecutionError') parts.push('--- nbclient ---', f.message.trim());
  return parts.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
}

async function executeOne(nb: string, outDir: string, keep: boolean, opts: ExecuteOptions): Promise<NotebookResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const notebook = path.resolve(nb);
  if (!fs.existsSync(notebook)) return { notebook, ok: false, seconds: 0, error: `no such notebook: ${notebook}` };
  const cellTimeout = Math.ceil(opts.timeoutSec ?? 300);
  const name = path.basename(notebook, '.ipynb');
  // never overwrite the source when outDir is the notebook's own folder
  const outName = path.dirname(notebook) === outDir ? `${name}.executed` : name;
  const executed = path.join(outDir, `${outName}.ipynb`);
  const html = opts.html ? path.join(outDir, `${outName}.html`) : '';
  for (const f of [executed, html]) if (f) fs.rmSync(f, { force: true }); // no stale results

  const r = await run(
    ['-c', DRIVER_PY, notebook, executed, html, String(cellTimeout)],
    path.dirname(notebook), // tslab compiles cells relative to the notebook's folder
    Math.max(600, cellTimeout * 10) * 1000,
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('IMSIM_RESULT '));
  const files = {
    ...(keep && fs.existsSync(executed) ? { output: executed } : {}),
    ...(html && fs.existsSync(html) ? { html } : {}),
  };
  if (!line) {
    const why = r.timedOut ? 'killed: the notebook ran past its overall time limit\n' : '';
    return { notebook, ok: false, seconds: seconds(), ...files, error: why + (cleanStderr(r.stderr) || `python exited with ${r.code}`) };
  }
  const { failure } = JSON.parse(line.slice('IMSIM_RESULT '.length)) as { failure: Failure | null };
  return { notebook, ok: !failure, seconds: seconds(), ...files, ...(failure ? { error: formatFailure(failure) } : {}) };
}

/** Executes each notebook in turn with the tslab kernel; a cell error makes that one ok=false. */
export async function executeNotebooks(opts: ExecuteOptions): Promise<NotebookResult[]> {
  const keep = opts.outDir !== undefined;
  if (opts.html && !keep) throw new Error('executeNotebooks: html needs outDir (the HTML files are written there)');
  const outDir = keep ? path.resolve(opts.outDir!) : fs.mkdtempSync(path.join(os.tmpdir(), 'imsim-nb-'));
  fs.mkdirSync(outDir, { recursive: true });
  const results: NotebookResult[] = [];
  try {
    for (const nb of opts.notebooks) {
      opts.onProgress?.(`running ${path.basename(nb)} ...`);
      const r = await executeOne(nb, outDir, keep, opts);
      results.push(r);
      opts.onProgress?.(`${path.basename(nb)}  ${r.seconds.toFixed(1)} s  ${r.ok ? 'ok' : 'FAILED'}`);
    }
  } finally {
    if (!keep) fs.rmSync(outDir, { recursive: true, force: true });
  }
  return results;
}
