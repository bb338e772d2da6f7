// One implementation, two runtimes: the protocol, connection-layer and logic-layer code must not
// reach for sockets, real timers, wall clocks or Math.random (design.md §2). The simulator could
// not drive it otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', 'src');
const SANS_IO = ['protocol', 'connection', 'logic'];
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"](node:)?(net|tls|dgram|http|https|timers|timers\/promises|child_process|fs)['"]/, 'I/O module import'],
  [/require\(\s*['"](node:)?(net|tls|dgram|http|https|timers|child_process|fs)['"]\s*\)/, 'I/O module require'],
  [/\bDate\.now\s*\(/, 'Date.now'],
  [/\bnew\s+Date\s*\(/, 'new Date'],
  [/\bperformance\.now\s*\(/, 'performance.now'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\b(randomBytes|randomUUID|randomInt|getRandomValues|randomFillSync)\b/, 'crypto randomness'],
  [/from\s+['"](ioredis|redis|node:dns|dns|node:worker_threads|worker_threads)['"]/, 'I/O client import'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'real timer'],
  [/\bawait\b/, 'await (state machines answer through callbacks)'],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('sans-I/O layers', () => {
  for (const layer of SANS_IO) {
    it(`src/${layer} uses only injected time, randomness and transport`, () => {
      const found: string[] = [];
      for (const f of files(join(ROOT, layer))) {
        const lines = readFileSync(f, 'utf8').split('\n');
        lines.forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          for (const [re, what] of FORBIDDEN) if (re.test(code)) found.push(`${f}:${i + 1}: ${what}: ${line.trim()}`);
        });
      }
      expect(found).toEqual([]);
    });
  }

  it('the checker itself catches a forbidden call', () => {
    const sample = 'const t = Date.now(); setTimeout(f, 1);';
    expect(FORBIDDEN.filter(([re]) => re.test(sample)).length).toBe(2);
    for (const bad of ["const id = randomUUID();", "crypto.getRandomValues(b);", "import Redis from 'ioredis';", "import { lookup } from 'node:dns';"]) {
      expect(FORBIDDEN.some(([re]) => re.test(bad)), bad).toBe(true);
    }
    // HMAC for login tokens is deterministic and stays allowed
    expect(FORBIDDEN.some(([re]) => re.test("import { createHmac, timingSafeEqual } from 'node:crypto';"))).toBe(false);
  });
});
