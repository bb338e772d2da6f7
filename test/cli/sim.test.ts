// `imsim sim` in-process: a single-run scenario prints one delivery block; a multi-run one prints every
// run under its label, and --json carries every run without its world.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simCommand } from '../../src/cli/sim';
import { runScenario } from '../../src/sim/scenarios';

async function sim(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await simCommand(args);
  vi.restoreAllMocks();
  return { code, out };
}

afterEach(() => vi.restoreAllMocks());

describe('imsim sim', () => {
  it('a single-run scenario: one delivery line and its world\'s fingerprint', async () => {
    const { code, out } = await sim(['--scenario', 'conversation', '--protocol', 'versioned']);
    expect(code).toBe(0);
    expect(out.match(/delivery:/g)).toHaveLength(1);
    const r = await runScenario('conversation', { protocol: 'versioned', seed: '1' });
    expect(out).toContain(`fingerprint ${r.runs[0].fingerprint}`);
    expect(out).not.toContain('all runs');
  });

  it('a multi-run scenario: every run under its label, and a fingerprint over them all', async () => {
    const { code, out } = await sim(['--scenario', 's11-voice', '--protocol', 'versioned']);
    expect(code).toBe(0);
    const r = await runScenario('s11-voice', { protocol: 'versioned', seed: '1' });
    expect(out).toContain('· 2 runs');
    for (const run of r.runs) expect(out).toContain(`[${run.label}] ${(run.virtualMs / 1000).toFixed(1)} s virtual time, ${run.events} events, fingerprint ${run.fingerprint}`);
    expect(out.match(/delivery:/g)).toHaveLength(2);
    expect(out).toContain(`all runs: ${(r.virtualMs / 1000).toFixed(1)} s virtual time, ${r.events} events, fingerprint ${r.fingerprint}`);
  });

  it('--json: every run with label, metrics and fingerprint, no world', async () => {
    const { code, out } = await sim(['--scenario', 's11-voice', '--protocol', 'queue', '--json']);
    expect(code).toBe(0);
    const [r] = JSON.parse(out);
    expect(r.runs.map((x: { label: string }) => x.label)).toEqual(['voice in band', 'voice over HTTP']);
    expect(r.runs[0].metrics.delivery.sent).toBe(4);
    expect(r.runs[0]).not.toHaveProperty('world');
    expect(r.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
