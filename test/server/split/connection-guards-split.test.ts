// The connection guards in a connection process of the split deployment (as in one process:
// connection-guards.test.ts): a silent client is reaped and its route in Redis goes with it; a
// pre-login client that pipelines without reading is not read past the pause point.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY_LIMITS } from '../../../src/connection/reply-limits';
import { startConnectionProcess, type RunningConnectionProcess } from '../../../src/server/split/connection-process';
import { startLogicProcess, type RunningLogicProcess } from '../../../src/server/split/logic-process';
import { useRedisServer } from '../../helpers/redis-server';
import { Resp3 } from '../../helpers/slow-consumer';
import { until } from '../../helpers/until';

const shared = useRedisServer();
let n = 0;
let conn: RunningConnectionProcess | null = null;
let logic: RunningLogicProcess | null = null;
const clients: Resp3[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
  await conn?.close();
  await logic?.close();
  conn = logic = null;
});

async function start(guards: { idleMs?: number }) {
  const common = { redisUrl: shared.server.url, redisPrefix: `guard${++n}:` };
  conn = await startConnectionProcess({ ...common, port: 0, ...guards });
  logic = await startLogicProcess({ ...common, protocol: 'versioned' });
  return conn;
}

describe('connection guards in a connection process', () => {
  it('idleMs: a silent logged-in client is closed and its route removed', async () => {
    const p = await start({ idleMs: 200 });
    const bob = await Resp3.login(p.port, 'bob');
    clients.push(bob);
    expect(await p.routes.lookup('bob')).toHaveLength(1);
    await until('bob is reaped', () => bob.closed);
    await until('bob\'s route is gone', async () => (await p.routes.lookup('bob')).length === 0);
    expect(p.gateway.connections).toBe(0);
  });

  it('reply limits: a pre-login pipeliner that never reads is held at the pause point; a client beside it is served', async () => {
    const p = await start({});
    const s = net.connect(p.port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    s.pause();
    const K = 5000;
    s.write('COMMAND DOCS\r\n'.repeat(K));
    const id = 1; // this process's first connection
    await until('its replies reach the pause point', () => p.backlogOf(id).socket >= DEFAULT_REPLY_LIMITS.login.pauseBytes);
    const alice = await Resp3.login(p.port, 'alice');
    clients.push(alice);
    expect(await alice.call('PING')).toBe('PONG');
    expect(p.backlogOf(id).socket).toBeLessThanOrEqual(DEFAULT_REPLY_LIMITS.login.closeBytes);
    expect(p.gateway.stats.cmd).toBeLessThan(K);
  });
});
