// The CLI's shared parsing and help layout.
import { describe, expect, it } from 'vitest';
import { UsageError, helpText, positiveInt, positiveNumber } from '../../src/cli/args';

describe('helpText', () => {
  it('lines the help of every option up in one column, past the longest option name', () => {
    const text = helpText('x [options]', 'about', [
      { name: 'port', kind: 'number', help: 'the port', default: 1 },
      { name: 'a-rather-long-option', kind: 'string', help: 'its help' },
      { name: 'json', kind: 'boolean', help: 'print JSON' },
    ]);
    const rows = text.split('\n').filter((l) => l.startsWith('  --'));
    expect(rows).toHaveLength(3);
    const cols = rows.map((r) => r.search(/ (the port|its help|print JSON)/) + 1);
    expect(new Set(cols).size).toBe(1);
    expect(rows[1]).toMatch(/<string> +its help$/);
    expect(rows[0]).toMatch(/the port \(default: 1\)$/);
  });
});

describe('positiveInt and positiveNumber', () => {
  it('take whole counts >= 1 (or the given bounds) and refuse the rest, naming the option and the value', () => {
    expect(positiveInt(5, '--messages')).toBe(5);
    expect(positiveInt('7', '--messages')).toBe(7);
    expect(positiveInt(2, '--clients', { min: 2 })).toBe(2);
    for (const bad of [0, -5, 1.5, NaN, 'x']) expect(() => positiveInt(bad, '--messages')).toThrow(UsageError);
    expect(() => positiveInt(-5, '--messages')).toThrow('--messages takes an integer >= 1, got -5');
    expect(() => positiveInt(1, '--clients', { min: 2 })).toThrow('--clients takes an integer >= 2, got 1');
    expect(() => positiveInt(200_001, '--messages', { max: 100_000 })).toThrow('--messages takes an integer in 1..100000, got 200001');
    expect(positiveNumber(0.5, '--gap', 'ms')).toBe(0.5);
    for (const bad of [0, -1, Infinity, NaN]) expect(() => positiveNumber(bad, '--gap', 'ms')).toThrow(`--gap takes ms > 0, got ${bad}`);
  });
});
