// `imsim` is not on PATH after `npm start`: every example and message that tells a user to run a
// command says `npx imsim ...`, so pasting it works (a bare `$(imsim token alice)` gives "command
// not found", then WRONGPASS).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPACITY_HELP } from '../../src/cli/capacity';
import { CLIENT_HELP } from '../../src/cli/client';
import { CLUSTER_HELP } from '../../src/cli/cluster';
import { COMPARE_HELP } from '../../src/cli/compare';
import { LOAD_HELP } from '../../src/cli/load';
import { PROXY_HELP } from '../../src/cli/proxy';
import { NEXT_STEP } from '../../src/cli/report';
import { SERVE_HELP } from '../../src/cli/serve';
import { SIM_HELP } from '../../src/cli/sim';
import { TOKEN_HELP } from '../../src/cli/token';

const COMMAND = /(?<!npx )(?<![\w/.`-])imsim (sim|compare|serve|client|token|report|cluster|proxy|load|capacity)\b/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('help examples and hints say npx imsim', () => {
  it.each(Object.entries({ CAPACITY_HELP, CLIENT_HELP, CLUSTER_HELP, COMPARE_HELP, LOAD_HELP, PROXY_HELP, SERVE_HELP, SIM_HELP, TOKEN_HELP }))(
    '%s: every example runs npx imsim', (_name, help) => {
      const examples = help.split('\nexamples:\n')[1];
      expect(examples).toBeDefined();
      for (const line of examples.split('\n')) expect(line).not.toMatch(COMMAND);
      expect(help).toMatch(/npx imsim/);
    },
  );

  it('no string in src/cli or src/server tells the user to run a bare imsim command', () => {
    const root = join(__dirname, '../../src');
    const bad: string[] = [];
    for (const f of [...files(join(root, 'cli')), ...files(join(root, 'server'))]) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments
        // run instructions: an example line, a $(...), "try:", "e.g.", "see ... --help", the start-here list
        if (/(\$\(imsim |'imsim |try: +imsim |e\.g\. imsim |see imsim |^ {2}imsim )/.test(line)) bad.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('after the reports, npm start points to the next step', () => {
    expect(NEXT_STEP).toMatch(/`npx imsim --help`/);
    expect(NEXT_STEP).toMatch(/README/);
  });
});
