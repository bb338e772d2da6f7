// The logic layer's capacity model: workers, per-connection order, the bounded queue, timeouts,
// crash and resume with a durable or an in-process queue, and Little's law.
import { describe, expect, it } from 'vitest';
import type { Up } from '../../src/connection/layer-messages';
import { mmc } from '../../src/capacity/erlang';
import { Kernel } from '../../src/sim/kernel';
import { LogicModel, type LogicModelOptions } from '../../src/sim/logic-model';

function setup(opts: LogicModelOptions, hopUs = 0) {
  const k = new Kernel({ seed: 1 });
  const sched = { now: () => k.now, setTimer: (d: number, fn: () => void) => k.schedule(d, fn), clearTimer: (id: unknown) => void k.cancel(id as number) };
  const handled: { m: Up & { req?: number }; t: number }[] = [];
  const refused: { m: Extract<Up, { k: 'cmd' }>; why: string }[] = [];
  const model = new LogicModel(sched, (n) => k.rng(n), opts, hopUs, (m) => void handled.push({ m, t: k.now }), (m, why) => void refused.push({ m, why }));
  let req = 0;
  const cmd = (conn: number, name = 'send'): Up => ({ k: 'cmd', gw: 0, conn, req: req++, user: `u${conn}`, args: [name] });
  return { k, model, handled, refused, cmd };
}

const det = (ms: number) => ({ dist: 'det', mean: ms / 1000 }) as const;

describe('LogicModel', () => {
  it('c workers serve in parallel, one connection at a time, in order', () => {
    const t = setup({ workers: 2, service: { default: det(10) } });
    const reqs = [t.cmd(1), t.cmd(1), t.cmd(2), t.cmd(3)];
    for (const r of reqs) t.model.offer(r);
    t.k.run();
    // conn 1's first and conn 2's run at once; conn 1's second waits for its first, conn 3 for a free
    // worker; connections take turns in the order they became ready (3 before 1's second)
    expect(t.handled.map((h) => [h.m.req, h.t])).toEqual([[0, 10_000], [2, 10_000], [3, 20_000], [1, 20_000]]);
    expect(t.model.backlog).toBe(0);
  });

  it('service time per command', () => {
    const t = setup({ workers: 1, service: { send: det(5), 'msg-fin': det(1), default: det(2) } });
    t.model.offer(t.cmd(1, 'send'));
    t.model.offer(t.cmd(2, 'msg-fin'));
    t.model.offer(t.cmd(3, 'other'));
    t.k.run();
    expect(t.handled.map((h) => h.t)).toEqual([5000, 6000, 8000]);
    expect(t.model.report().perCommand).toEqual({ 'msg-fin': { n: 1, meanServiceMs: 1 }, other: { n: 1, meanServiceMs: 2 }, send: { n: 1, meanServiceMs: 5 } });
  });

  it("a command named like an Object property ('constructor', '__proto__') takes the default service time", () => {
    const t = setup({ workers: 1, service: { default: det(2) } });
    t.model.offer(t.cmd(1, 'constructor'));
    t.model.offer(t.cmd(2, '__proto__'));
    t.k.run();
    expect(t.handled.map((h) => h.t)).toEqual([2000, 4000]);
  });

  it('a full queue refuses commands at once (BUSY), never logins', () => {
    const t = setup({ workers: 1, queueLimit: 2, service: { default: det(10) } });
    for (let i = 1; i <= 4; i++) t.model.offer(t.cmd(i));
    t.model.offer({ k: 'login', gw: 0, conn: 9, req: 99, user: 'x', token: 't' });
    expect(t.refused.map((r) => [r.m.req, r.why.split(' ')[0]])).toEqual([[2, 'BUSY'], [3, 'BUSY']]);
    t.k.run();
    expect(t.handled.map((h) => h.m.req)).toEqual([0, 1, 99]);
  });

  it('a command that waited longer than the timeout is answered with an error, not done', () => {
    const t = setup({ workers: 1, timeoutUs: 15_000, service: { default: det(10) } });
    for (let i = 1; i <= 3; i++) t.model.offer(t.cmd(i));
    t.k.run();
    expect(t.handled.map((h) => h.m.req)).toEqual([0, 1]);
    expect(t.refused.map((r) => [r.m.req, r.why.split(' ')[0]])).toEqual([[2, 'TIMEOUT']]);
    expect(t.model.stats.timedOut).toBe(1);
  });

  it('durable: a crash keeps the queue; what was in service or unanswered is handed back first, in order', () => {
    const t = setup({ workers: 1, durable: true, service: { default: det(10) } });
    const a = t.cmd(1), b = t.cmd(1), c = t.cmd(2);
    for (const r of [a, b, c]) t.model.offer(r);
    t.k.run({ until: 15_000 }); // a handled at 10 ms (not answered), then c in service (conn 2 was ready before conn 1 again)
    expect(t.handled.map((h) => h.m)).toEqual([a]);
    t.model.crash();
    t.model.offer(t.cmd(3)); // arrives while down: waits
    t.k.run({ until: 50_000 });
    expect(t.handled).toHaveLength(1);
    expect(t.model.backlog).toBe(2);
    t.model.resume();
    t.k.run();
    // handed back first (a, then c), then the rest; conn 1's b only after its a
    expect(t.handled.map((h) => h.m.req)).toEqual([0, 0, 2, 3, 1]);
    expect(t.model.stats.redelivered).toBe(2);
  });

  it('in-process: a crash loses what was queued, in service or unanswered, and what comes while down', () => {
    const t = setup({ workers: 1, durable: false, service: { default: det(10) } });
    for (let i = 1; i <= 3; i++) t.model.offer(t.cmd(i));
    t.k.run({ until: 15_000 });
    t.model.answered(1, 0); // the first was answered
    t.model.crash();
    t.model.offer(t.cmd(4));
    expect(t.model.backlog).toBe(0);
    t.model.resume();
    t.k.run();
    expect(t.handled.map((h) => h.m.req)).toEqual([0]);
    expect(t.model.stats.lost).toBe(3); // in service, waiting, sent while down
  });

  it('Little: the backlog integral equals the requests\' time in the queue; mean wait agrees with Erlang C', () => {
    // Poisson arrivals on distinct connections (no ordering constraint): M/M/4 at ρ = 0.8
    const c = 4, mu = 1000, lambda = 0.8 * c * mu;
    const t = setup({ workers: c, service: { default: { dist: 'exp', mean: 1 / mu } } });
    const rng = t.k.rng('arrivals');
    const n = 60_000;
    let at = 0;
    for (let i = 0; i < n; i++) {
      at += Math.round(rng.exp(1e6 / lambda));
      const m = t.cmd(i);
      t.k.at(at, () => t.model.offer(m));
    }
    t.k.run();
    const r = t.model.report();
    expect(r.handled).toBe(n);
    expect(r.little.relError).toBeLessThan(1e-9); // drained: L = λW exactly
    const Wq = mmc(lambda, mu, c).Wq;
    expect(Math.abs(r.little.W - Wq) / Wq).toBeLessThan(0.08); // ~2x the seed spread at this size
    expect(r.utilisation).toBeCloseTo(0.8, 1);
  });
});
