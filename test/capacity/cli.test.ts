import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { CAPACITY_HELP, capacityCommand, planFromArgs } from '../../src/cli/capacity';
import { PLAN_PARAMS } from '../../src/capacity/plan';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await capacityCommand(argv), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('imsim capacity', () => {
  it("prints the deck's 35 servers with the rounding and its assumptions", async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toMatch(/connection servers \(estimate\)\s+35\s+⌈12,000,000 \/ \(700,000 × 0\.5\)⌉ = ⌈34\.29⌉, rounded up/);
    expect(out).toContain('assumptions');
    expect(out).toContain('单台服务器压测70万连接');
    expect(out).toMatch(/logic workers\s+13/);
  });

  it('--json gives the plan to machines', async () => {
    const { out } = await run(['--json', '--n-plus-one']);
    const j = JSON.parse(out);
    expect(j.connection.servers).toBe(35);
    expect(j.connection.total).toBe(36);
    expect(j.inputs.spareServers).toBe(1);
    expect(j.assumptions.length).toBe(PLAN_PARAMS.length);
    expect(j.confirmation).toBeNull();
  });

  it('flags change the result', () => {
    expect(planFromArgs(['--utilisation', '0.8']).plan.connection.servers).toBe(22);
    expect(planFromArgs(['--connections=30000000']).plan.connection.servers).toBe(86);
    expect(planFromArgs(['--spare', '2']).plan.connection.total).toBe(37);
    expect(planFromArgs(['--wait-percentile', 'p99.9']).plan.inputs.waitPercentile).toBe(99.9);
    expect(planFromArgs(['--wait-percentile', 'mean']).plan.logic.target).toContain('mean wait');
  });

  it.each([
    [['--utilisation', '50'], /--utilisation: .*fraction in \(0, 1\], e\.g\. 0\.5/],
    [['--connections', '-5'], /--connections: .*must be > 0/],
    [['--per-server', 'lots'], /--per-server takes a number/],
    [['--wait-percentile', 'high'], /--wait-percentile takes a percentile/],
    [['--wait-percentile', '100'], /--wait-percentile: .*\(0, 100\)/],
    [['--conections', '5'], /unknown option --conections/],
    [['--n-plus-one', '--spare', '3'], /--n-plus-one means --spare 1/],
    [['35'], /takes only options/],
  ])('%j is a clear usage error', (argv, msg) => {
    expect(() => planFromArgs(argv)).toThrow(UsageError);
    expect(() => planFromArgs(argv)).toThrow(msg);
  });

  it('--confirm --balancer must name a balancer', async () => {
    await expect(run(['--confirm', '--balancer', 'dns'])).rejects.toThrow(/--balancer must be one of round-robin, least-loaded, random/);
  });

  it('--confirm runs the scaled-down simulation; exit 1 when the plan does not hold', async () => {
    const ok = await run(['--confirm', '--scale', '4000']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('plan holds');
    const bad = await run(['--confirm', '--scale', '4000', '--utilisation', '1']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/no connection refused\s+FAILED/);
  }, 30_000);

  it('--help names every flag with its default and source', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toBe(CAPACITY_HELP);
    for (const p of PLAN_PARAMS) {
      expect(out).toContain(`--${p.flag} `);
      expect(out).toContain(p.source);
    }
    expect(out).toContain('ceil(34.29) = 35');
  });
});
