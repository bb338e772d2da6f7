// `imsim proxy`: the simulator's link model applied to real TCP, between any client and any server.
import { DEFAULT_WINDOW, profileName, startProxy, type RunningProxy } from '../server/proxy/index';
import { PATTERNS } from '../sim/network/mobility';
import { PROFILES } from '../sim/network/profiles';
import { DEFAULT_PORT } from '../server/tcp-server';
import { UsageError, helpText, mobilityArg, parseArgs, type OptionSpec } from './args';
import { profileArg } from './sim';

export const DEFAULT_PROXY_PORT = 7380;

const SPECS: OptionSpec[] = [
  { name: 'profile', kind: 'string', help: `the link: ${Object.keys(PROFILES).join(', ')}, or a JSON file`, default: '3g' },
  { name: 'listen', kind: 'number', help: 'port to listen on, on 127.0.0.1 (0 = any free port)', default: DEFAULT_PROXY_PORT },
  { name: 'target', kind: 'string', help: 'where to forward: HOST:PORT (or just PORT)', default: `127.0.0.1:${DEFAULT_PORT}` },
  { name: 'mobility', kind: 'string', help: `what happens to each link: comma-separated of ${Object.keys(PATTERNS).join(', ')}`, default: 'none' },
  { name: 'nat-idle', kind: 'number', help: 'carrier NAT idle timeout, seconds: a mapping silent this long is gone (default: no NAT)' },
  { name: 'give-up', kind: 'number', help: 'TCP gives up on unacknowledged data after this many seconds (Linux ~924)' },
  {
    name: 'window', kind: 'number', default: DEFAULT_WINDOW / 1024,
    help: 'flow control, KiB: when one direction of a connection holds more than this (not yet delivered by the link, or not yet taken by a slow reader), the proxy stops reading its sender until it drains',
  },
  { name: 'seed', kind: 'string', help: 'seed of the link model\'s random streams (jitter, loss, mobility)', default: '1' },
  { name: 'every', kind: 'number', help: 'print a summary line every this many seconds (0 = never)', default: 5 },
  { name: 'quiet', kind: 'boolean', help: 'only the summary lines, not every connection event' },
  { name: 'help', kind: 'boolean', help: 'show this help' },
];

export const PROXY_HELP = helpText(
  'npx imsim proxy [--profile NAME|FILE.json] [--listen PORT] [--target HOST:PORT] [--mobility a,b] [--nat-idle S] [--seed N]',
  'Forwards TCP connections from 127.0.0.1:PORT to the target through the simulator\'s link model --\n' +
    'the same code the simulator runs (src/sim/network/), on real time: each connection gets a\n' +
    'device link with the profile\'s one-way delays and jitter, serialisation at its bandwidth (a big\n' +
    'write delays what follows it), lost segments turned into retransmission stalls (bytes are never\n' +
    'lost inside a live connection), the modelled handshake (SYN loss, connect give-up), and what\n' +
    'kills connections: resets (both ends learn), half-open cuts (nobody learns; bytes vanish),\n' +
    'carrier NAT expiry after --nat-idle seconds of silence, outages and handovers (--mobility).\n' +
    'A server that resets its socket has its RST travel down the link: the client sees ECONNRESET.\n' +
    'Like TCP\'s window, a sender faster than the link is not buffered without limit: past --window\n' +
    'KiB per connection and direction the proxy stops reading it, so its own writes block.\n' +
    'Every connection event is printed as it happens; a summary line every --every seconds.\n' +
    'Point any client at it: npx imsim client, redis-cli, npx imsim load --port.',
  SPECS,
  [
    'npx imsim serve &                                        (the server, port 7379)',
    'npx imsim proxy --profile edge --listen 7380 --target 127.0.0.1:7379',
    'npx imsim client --user bob --port 7380                  (bob on EDGE; alice direct on 7379)',
    'npx imsim proxy --profile 3g --mobility resets,elevator --nat-idle 300',
    'npx imsim proxy --profile my-link.json --listen 0        (fields of a profile: see docs/network.md)',
  ],
);

/** HOST:PORT or PORT. */
export function parseTarget(arg: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d+)$/.exec(arg.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new UsageError(`--target takes HOST:PORT or PORT, got '${arg}'`);
  return { host: m[1] ?? '127.0.0.1', port };
}

export async function proxyCommand(argv: string[]): Promise<number> {
  const { opts } = parseArgs(argv, SPECS);
  if (opts.help) {
    process.stdout.write(PROXY_HELP);
    return 0;
  }
  const profile = profileArg(String(opts.profile));
  const target = parseTarget(String(opts.target));
  const mobility = mobilityArg(opts.mobility);
  const secs = (name: string): number | undefined => {
    if (opts[name] === undefined) return undefined;
    const v = Number(opts[name]);
    if (!(v > 0)) throw new UsageError(`--${name} takes seconds > 0, got ${opts[name]}`);
    return Math.round(v * 1_000_000);
  };
  const windowKiB = Number(opts.window);
  if (!(windowKiB >= 1)) throw new UsageError(`--window takes KiB >= 1, got ${opts.window}`);
  const out = (l: string) => process.stdout.write(l + '\n');
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      target, profile, mobility, natIdleUs: secs('nat-idle'), giveUpUs: secs('give-up'), seed: String(opts.seed), port: Number(opts.listen),
      window: Math.round(windowKiB * 1024),
      log: opts.quiet ? undefined : out,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`imsim proxy: ${e.code === 'EADDRINUSE' ? `port ${opts.listen} is in use: pick another with --listen (0 = any free port)` : e.message}\n`);
    return 1;
  }
  out(
    `imsim proxy: 127.0.0.1:${proxy.port} -> ${target.host}:${target.port} through the '${profileName(profile)}' link` +
      `${mobility.length ? `, mobility ${mobility.join('+')}` : ''}${opts['nat-idle'] ? `, NAT idle ${opts['nat-idle']} s` : ''}, seed ${opts.seed}\n` +
      `try: npx imsim client --user bob --port ${proxy.port}   ·  stop: Ctrl-C`,
  );
  const every = Number(opts.every);
  const summary = () => {
    const s = proxy.stats;
    const b = proxy.buffered();
    out(
      `-- ${s.open} open · ${s.accepted} accepted · ${s.closed} closed · ${s.reset} reset · ${s.failed} failed to connect · ` +
        `${(s.bytesUp / 1024).toFixed(1)} KiB up · ${(s.bytesDown / 1024).toFixed(1)} KiB down · ${s.retransmissions} retransmissions · ` +
        `held ${(b.up / 1024).toFixed(0)}/${(b.down / 1024).toFixed(0)} KiB up/down (peak ${(s.peakBuffered / 1024).toFixed(0)} KiB per direction, window ${windowKiB} KiB, ${s.pauses} pauses)`,
    );
  };
  const timer = every > 0 ? setInterval(summary, every * 1000) : null;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  if (timer) clearInterval(timer);
  summary();
  await proxy.close();
  out('npx imsim proxy: stopped');
  return 0;
}
