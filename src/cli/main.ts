#!/usr/bin/env node
// `imsim`: one entry point, one subcommand per job.
import { UsageError } from './args';
import { capacityCommand } from './capacity';
import { clientCommand } from './client';
import { clusterCommand } from './cluster';
import { compareCommand } from './compare';
import { loadCommand } from './load';
import { proxyCommand } from './proxy';
import { reportCommand } from './report';
import { serveCommand } from './serve';
import { simCommand } from './sim';
import { tokenCommand } from './token';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; about: string }> = {
  sim: { run: simCommand, about: 'run a scenario in the deterministic simulator' },
  compare: { run: compareCommand, about: 'both protocols over the mobile link profiles, side by side' },
  serve: { run: serveCommand, about: 'run the real server on TCP (RESP; redis-cli works)' },
  client: { run: clientCommand, about: 'chat from the terminal against `npx imsim serve`' },
  token: { run: tokenCommand, about: 'print the login token of a user' },
  report: { run: reportCommand, about: 'execute the notebooks and write them as HTML under reports/' },
  cluster: { run: clusterCommand, about: 'a split deployment on this machine: N connection + M logic processes, one Redis' },
  proxy: { run: proxyCommand, about: "real TCP through the simulator's link model (delay, bandwidth, loss, resets, cuts, NAT)" },
  load: { run: loadCommand, about: 'N real clients with the simulated traffic model against imsim serve; the same ledger and metrics' },
  capacity: { run: capacityCommand, about: "size a deployment: the deck's 12M connections / 700k per server / 50% -> 35 servers" },
};

const HELP = `imsim: the Momo IM architecture, simulated and for real.

usage: npx imsim <command> [options]     (npx imsim <command> --help for its options)

commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(8)} ${c.about}`).join('\n')}

start here:
  npx imsim sim                  compare the queue and versioned protocols on a dropped connection
  npx imsim compare              both protocols across wifi, lte, 3g, edge, 2g, very-bad, blackhole
  npx imsim serve                then: redis-cli -3 -p 7379 --user alice --pass "$(npx imsim token alice)"
  npm start                      render the notebooks to reports/
  npx imsim capacity --confirm   the deck's capacity estimate, checked by a scaled-down simulation
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`imsim: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}. Try npx imsim --help.\n`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`imsim: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      // A library error's message says what is wrong; the stack is for us (IMSIM_DEBUG=1).
      const detail = err instanceof Error ? (process.env.IMSIM_DEBUG ? err.stack ?? err.message : err.message) : String(err);
      process.stderr.write(`imsim: ${detail}\n`);
      process.exitCode = 1;
    }
  },
);
