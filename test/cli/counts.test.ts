// Counts on the command line: a value below 1 (or not a whole number) is a usage error before anything
// runs -- never a run that prints NaN round trips or "0/-5" -- and an unknown scenario is refused
// before any "running ..." line.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { compareCommand } from '../../src/cli/compare';
import { loadCommand } from '../../src/cli/load';
import { simCommand } from '../../src/cli/sim';

afterEach(() => vi.restoreAllMocks());

/** Runs a command in-process; what it printed (stdout and stderr) before it returned or threw. */
async function attempt(cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ error: unknown; printed: string }> {
  let printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((printed += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((printed += String(s)), true));
  try {
    await cmd(argv);
    return { error: null, printed };
  } catch (error) {
    return { error, printed };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('counts below 1 are refused before anything runs', () => {
  it.each([
    ['sim --messages -5', simCommand, ['--scenario', 's1-flaky', '--messages', '-5'], /--messages takes an integer >= 1, got -5/],
    ['sim --messages 0', simCommand, ['--messages', '0'], /--messages takes an integer >= 1, got 0/],
    ['sim --messages 2.5', simCommand, ['--messages', '2.5'], /--messages takes an integer >= 1, got 2.5/],
    ['sim --scenario nope', simCommand, ['--scenario', 'nope'], /--scenario must be one of conversation, .*; got 'nope'/],
    ['compare --messages 0', compareCommand, ['--messages', '0'], /--messages takes an integer >= 1, got 0/],
    ['compare --gap 0', compareCommand, ['--gap', '0'], /--gap takes ms > 0, got 0/],
    ['compare --real --messages 0', compareCommand, ['--real', '--messages', '0'], /--messages takes an integer in 1\.\.100000, got 0/],
    ['load --clients 0', loadCommand, ['--clients', '0'], /--clients takes an integer >= 2, got 0/],
    ['load --clients 3.5', loadCommand, ['--clients', '3.5'], /--clients takes an integer >= 2, got 3\.5/],
    ['load --duration -1', loadCommand, ['--duration', '-1'], /--duration takes seconds > 0, got -1/],
    ['load --body 0', loadCommand, ['--body', '0'], /--body takes an integer >= 1, got 0/],
  ] as const)('%s', async (_name, cmd, argv, message) => {
    const { error, printed } = await attempt(cmd, [...argv]);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(printed).toBe(''); // no "running ..." line, no table with NaN
  });
});
