import { describe, expect, it } from 'vitest';
import { show, showMarkdown, showTable } from '../../src/viz/display';
import { lineChart } from '../../src/viz/specs';

// Outside a running kernel tslab's display throws a bare "Not ready": we must say what it means.
describe('display outside a kernel', () => {
  it('fails with a clear message', async () => {
    const spec = lineChart([{ x: 0, y: 0 }, { x: 1, y: 1 }], { xTitle: 'x', yTitle: 'y' });
    await expect(show(spec)).rejects.toThrow(/only work inside a tslab notebook cell/);
    expect(() => showTable([{ a: 1 }])).toThrow(/only work inside a tslab notebook cell/);
    expect(() => showMarkdown('# hi')).toThrow(/only work inside a tslab notebook cell/);
  }, 30_000);
});
