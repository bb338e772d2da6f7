// Slow consumers in the split deployment: the connection process holds bob's socket and applies its
// output buffer's policy; the logic process behind Redis knows nothing of it. As in one process
// (slow-consumer.test.ts): bounded, nothing lost with the versioned protocol, a disconnect cuts only bob.
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputBufferOptions } from '../../../src/connection/gateway';
import { startConnectionProcess, type RunningConnectionProcess } from '../../../src/server/split/connection-process';
import { startLogicProcess, type RunningLogicProcess } from '../../../src/server/split/logic-process';
import { useRedisServer } from '../../helpers/redis-server';
import { ALL, LIMIT, N, Resp3, SOCKET_SHARE, fillBob, flood, resume, syncAll } from '../../helpers/slow-consumer';
import { until } from '../../helpers/until';

const shared = useRedisServer();
let n = 0;
let conn: RunningConnectionProcess | null = null;
let logic: RunningLogicProcess | null = null;
const clients: Resp3[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await conn?.close();
  await logic?.close();
  conn = logic = null;
});

async function start(output: OutputBufferOptions) {
  const common = { redisUrl: shared.server.url, redisPrefix: `slow${++n}:` };
  conn = await startConnectionProcess({ ...common, port: 0, output });
  logic = await startLogicProcess({ ...common, protocol: 'versioned' });
  return { s: conn, ...(await fillBob(conn, clients)) };
}

describe('slow consumer in the split deployment (connection process, versioned protocol)', () => {
  it('drop-oldest: bounded for bob, the newest notices kept; he syncs everything afterwards', async () => {
    const { s, bob, alice, bobConn, echoes } = await start({ policy: 'drop-oldest', limitBytes: LIMIT, socketBytes: SOCKET_SHARE });
    const down = s.stats.down; // what came back from the logic layer: alice's N replies and bob's N pushes
    const { before, peakHeld, peakSocket } = await flood(s, alice, bobConn, () => s.stats.down === down + 2 * N);
    expect(peakHeld).toBeGreaterThan(0);
    expect(peakHeld).toBeLessThanOrEqual(LIMIT);
    expect(peakSocket).toBeLessThanOrEqual(before.socket);
    const dropped = s.gateway.stats.slowDropped;
    const announced = await resume(bob, echoes);
    expect(announced.length + dropped).toBe(N);
    expect(announced.at(-1)).toBe(N);
    expect(await syncAll(bob)).toEqual(ALL);
  });

  it('disconnect: only bob is cut; alice is served; bob logs in again and syncs everything', async () => {
    const { s, bob, alice, bobConn } = await start({ policy: 'disconnect', limitBytes: LIMIT, socketBytes: SOCKET_SHARE });
    await flood(s, alice, bobConn, () => s.gateway.stats.slowDisconnects > 0);
    expect(s.gateway.stats.slowDisconnects).toBe(1);
    await until('bob\'s socket is gone', () => s.gateway.connections === 1 && s.backlogOf(bobConn).socket === 0);
    expect(await alice.call('PING')).toBe('PONG');
    bob.close();
    const again = await Resp3.login(s.port, 'bob');
    clients.push(again);
    expect(await syncAll(again)).toEqual(ALL);
  });
});
