// The CLI's shared parsing and help layout.
import { describe, expect, it } from 'vitest';
import { helpText } from '../../src/cli/args';

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
