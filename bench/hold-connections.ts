// A child of bench/server.ts that holds many idle TCP connections to one server, so the bench can read
// the server's RSS per connection. Started through a shell that raised `ulimit -n`. Commands on stdin,
// one per line, each answered `ok <n>` on stdout:
//   connect <port> <n>   open n connections, each answered one PING (so the server set it up fully)
//   auth                 log each connection in (AUTH user-<i> <token>): a logged-in idle session
//   close                close them all and exit
import * as net from 'node:net';
import { createInterface } from 'node:readline';
import { makeToken } from '../src/protocol/token';

const sockets: net.Socket[] = [];

/** Sends `line` on a socket and resolves when the reply starting with `want` arrived. */
function ask(s: net.Socket, line: string, want: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString('latin1');
      if (!got.endsWith('\r\n')) return;
      s.off('data', onData);
      if (got.startsWith(want)) resolve();
      else reject(new Error(`expected ${want}, got ${JSON.stringify(got.slice(0, 80))}`));
    };
    s.on('data', onData);
    s.write(line);
  });
}

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => {
      ask(s, 'PING\r\n', '+PONG').then(() => resolve(s), reject);
    });
  });
}

/** Runs `fn` over 0..n-1, at most `width` at a time (the listen backlog is finite). */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function main(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, a, b] = line.trim().split(/\s+/);
    if (cmd === 'connect') {
      const port = Number(a);
      await pool(Number(b), 200, async () => void sockets.push(await open(port)));
    } else if (cmd === 'auth') {
      await pool(sockets.length, 200, (i) => ask(sockets[i], `AUTH user-${i} ${makeToken(`user-${i}`)}\r\n`, '+OK'));
    } else if (cmd === 'close') {
      for (const s of sockets) s.destroy();
      process.stdout.write(`ok ${sockets.length}\n`);
      process.exit(0);
    }
    process.stdout.write(`ok ${sockets.length}\n`);
  }
}

main().catch((err) => {
  process.stdout.write(`error ${(err as Error).message}\n`);
  process.exit(1);
});
