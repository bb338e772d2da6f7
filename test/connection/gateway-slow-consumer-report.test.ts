// What the gateway's output buffer tells the runtime and the monitor: a slow-consumer disconnect asks the
// transport to abort (a graceful close would wait forever on a peer that does not read), and every drop
// or disconnect reaches the monitor -- STATS (section slow-consumers) and /metrics count them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOCKET_BYTES, Gateway, type OutputBufferOptions } from '../../src/connection/gateway';
import type { Up } from '../../src/connection/layer-messages';
import { Monitor, prometheusRegistry, statsText } from '../../src/monitor';

function setup(output: OutputBufferOptions, monitor?: Monitor) {
  const closes: [number, boolean | undefined][] = [];
  let backlog = 0;
  const transport = {
    write: (_c: number, b: Buffer) => void (backlog += b.length),
    close: (c: number, abort?: boolean) => void closes.push([c, abort]),
    buffered: () => backlog,
  };
  const up: Up[] = [];
  let t = 0;
  const gw = new Gateway(transport, (m) => void up.push(m), { output, id: 2, ...(monitor ? { monitor, clock: { now: () => t++ } } : {}) });
  gw.opened(1);
  gw.data(1, Buffer.from('HELLO 3 AUTH alice t\r\n'));
  const login = up.pop() as Extract<Up, { k: 'login' }>;
  gw.downstream({ k: 'login', conn: 1, req: login.req, user: 'alice', ok: true });
  backlog = 0;
  const push = (v: number) => gw.downstream({ k: 'push', conn: 1, items: ['msg-psh', String(v)] });
  return { gw, closes, push };
}

describe('Gateway output buffer: what it reports', () => {
  it('a slow-consumer disconnect aborts the connection; QUIT closes it gracefully', () => {
    const t = setup({ limitBytes: 24, policy: 'disconnect', socketBytes: 24 });
    for (let v = 1; v <= 3; v++) t.push(v); // 1 to the socket, 2 held, 3 overflows
    expect(t.closes).toEqual([[1, true]]);

    const q = setup({ limitBytes: 24, policy: 'disconnect' });
    q.gw.data(1, Buffer.from('QUIT\r\n'));
    expect(q.closes).toEqual([[1, undefined]]);
  });

  it('drops and disconnects are counted by the monitor, per server, and shown in STATS and /metrics', async () => {
    const m = new Monitor();
    const a = setup({ limitBytes: 24, policy: 'drop-oldest', socketBytes: 24 }, m);
    for (let v = 1; v <= 5; v++) a.push(v); // 1 out, then 2, 3, 4 each pushed out by the next
    expect(a.gw.stats.slowDropped).toBe(3);
    const b = setup({ limitBytes: 0, policy: 'disconnect', socketBytes: 0 }, m);
    b.push(1);
    expect(m.slowConsumerTotals(2)).toEqual({ dropped: 3, disconnect: 1 });
    expect(m.slowConsumerTotals(0)).toEqual({ dropped: 0, disconnect: 0 });

    const section = statsText(m, { sections: ['slow-consumers'] });
    expect(section).toBe('# Slow-consumers\r\nslow_consumer_pushes_dropped_total:3\r\nslow_consumer_disconnects_total:1\r\n');
    expect(statsText(m, { sections: ['everything'] })).toContain('slow_consumer_disconnects_total:1');
    // not one of the deck's sections: the default and `all` stay the deck's table
    expect(statsText(m)).not.toContain('slow_consumer');
    expect(statsText(m, { sections: ['all'] })).not.toContain('slow_consumer');

    const text = await prometheusRegistry(m).metrics();
    expect(text).toContain('imsim_slow_consumer_pushes_dropped_total{server="2"} 3');
    expect(text).toContain('imsim_slow_consumer_disconnects_total{server="2"} 1');
  });

  it('the default socket share is exported for runtimes that size their sockets by it', () => {
    expect(DEFAULT_SOCKET_BYTES).toBe(8192);
  });
});
