# Source of notebooks/04-logic-layer-queues.ipynb: python3 notebooks/source/04-logic-layer-queues.py
import os, sys; sys.path.insert(0, os.path.dirname(__file__))
from mknb import nb
M, C = 'markdown', 'code'
cells = [
(M, r'''
# 04 · The logic layer's queue

The deck splits the server in two. The **connection layer** (连接层) holds the long-lived sockets and should
almost never restart; the **logic layer** (逻辑层) does the work — 用户会话验证 (session checks), 消息存取
(storing and fetching messages) — behind an **异步队列**, an async queue, so that it can 随时重启 (restart at
any time). Between the two, every request waits in that queue until a logic worker is free.

That queue is a textbook queueing system, and this notebook treats it as one:

| symbol | meaning | here |
|---|---|---|
| λ | requests per second arriving from the connection layer (Poisson) | varies |
| c | logic workers taking requests one at a time, first come first served | 1, 8, 32 |
| S = 1/μ | work per request (service time) | 1 ms, exponential unless said otherwise |
| a = λ/μ | offered load in Erlangs: how many workers are busy on average | |
| ρ = a/c | load per worker | 0.3 … 0.99 |

With exponential service this is **M/M/c**, and its mean wait has a closed form (Erlang C, design.md §9):
C(c, a) = P(a request has to wait), and Wq = C / (cμ − λ). The simulation below is imsim's worker-pool
model (`runWorkerPool`), driven by the same discrete-event kernel as the rest of the simulator; each run
feeds it 200,000 requests and discards the first 5,000 (the pool starts empty).
'''),
(C, r'''
import { runWorkerPool, mmc, mmck, erlangB, mg1, waitExceeds, modelVsSimChart, spread, show, showTable, showMarkdown,
  lineChart, barChart, type PoolStats } from 'imsim';

const MU = 1000;          // requests per second one worker can do: 1 ms each
const S = 1 / MU;
const SEEDS = [1, 2, 3, 4, 5];
const N = 200_000, WARMUP = 5_000;
const exp = { dist: 'exp', mean: S } as const;
const ms = (s: number) => s * 1000;
/** Three significant figures, small ones as 1.2e-5; '–' where there is nothing to show. */
const sig = (v: number) => !Number.isFinite(v) ? '–' : v === 0 ? '0' : Math.abs(v) >= 0.01 ? String(Number(v.toPrecision(3))) : v.toExponential(1);
const pct = (v: number, digits = 1) => Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '–';

const rhos = [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];
const pools = [1, 8, 32];
const sweep = pools.flatMap((c) => rhos.map((rho) => {
  const runs = SEEDS.map((seed) => runWorkerPool({ arrivalRate: rho * c * MU, workers: c, service: exp, customers: N, warmup: WARMUP, seed }));
  return { c, rho, runs, closed: mmc(rho * c * MU, MU, c) };
}));

// Waits in units of the service time (Wq·μ): the picture is then the same for any S.
const model = pools.flatMap((c) => Array.from({ length: 70 }, (_, i) => 0.28 + i * 0.01)
  .map((rho) => ({ x: rho, y: mmc(rho * c * MU, MU, c).Wq * MU, series: `c = ${c}` })));
const sim = sweep.map(({ c, rho, runs }) => {
  const s = spread(runs.map((r) => r.meanWait * MU));
  return { x: rho, y: s.mean, lo: s.min, hi: s.max, series: `c = ${c}` };
});
await show(modelVsSimChart(model, sim, { title: 'Mean wait in the queue vs load: Erlang C and the simulation',
  xTitle: 'load per worker ρ', yTitle: 'mean wait Wq / service time (log)', yScale: 'log', width: 560, height: 320 }));
const at = (c: number, rho: number) => sweep.find((s) => s.c === c && s.rho === rho)!;
const relSd = (c: number, rho: number) => { const s = spread(at(c, rho).runs.map((r) => r.meanWait)); return s.mean > 0 ? s.sd / s.mean : NaN; };
const noWait = sweep.filter(({ runs }) => runs.every((r) => r.meanWait === 0));
showMarkdown(noWait.map(({ c, rho, closed }) => `- c = ${c} at ρ = ${rho}: **no** simulated request waited at all ` +
  `(Erlang C: P(wait) = ${sig(closed.pWait)}, one in ${Math.round(1 / closed.pWait).toLocaleString('en')}), so there is no point for it on the log scale.`).join('\n'));
'''),
(M, r'''
**Reading the chart.** Lines are Erlang C; points are the simulation, the mean of five seeds, with a bar
from the lowest to the highest seed. Three things to see:

- **The wall at ρ → 1.** Wq grows like 1/(1 − ρ): going from 80% to 90% busy doubles the wait, 90% to 95%
  doubles it again. The last few percent of utilisation are the expensive ones.
- **Pooling.** At the same ρ, 32 workers sharing one queue wait a tiny fraction of what one worker does
  (numbers below): a request waits only when *all* of them are busy. One shared queue in front of all
  workers beats a queue per worker, which is one reason the deck puts a queue between the layers instead of
  pinning connections to logic servers.
- **The seeds' spread.** Near saturation one run's mean is dominated by a few long busy periods, so seeds
  disagree even with 200,000 requests. Where waiting is *rare* (many workers, light load) they disagree
  too, for the opposite reason: the mean rests on the handful of requests that waited at all. That is why
  the tests compare the closed form with the mean over several seeds, with tolerances taken from this
  measured spread (design.md §9).
'''),
(C, r'''
const wq = (c: number, rho: number) => at(c, rho).closed.Wq;
showMarkdown([
  `Erlang C at ρ = 0.5: one worker waits ${sig(ms(wq(1, 0.5)))} ms on average, 8 workers ${sig(1e3 * ms(wq(8, 0.5)))} µs, ` +
  `32 workers ${sig(1e3 * ms(wq(32, 0.5)))} µs — **1/${Math.round(wq(1, 0.5) / wq(8, 0.5)).toLocaleString('en')}** and ` +
  `**1/${Math.round(wq(1, 0.5) / wq(32, 0.5)).toLocaleString('en')}** of the single worker's wait.`,
  '',
  'Spread of the simulated mean wait over the five seeds (sd / mean):',
  '',
  '| workers | ρ = 0.3 | ρ = 0.5 | ρ = 0.8 | ρ = 0.95 |', '|---|---|---|---|---|',
  ...pools.map((c) => `| ${c} | ${[0.3, 0.5, 0.8, 0.95].map((rho) => pct(relSd(c, rho))).join(' | ')} |`),
  '',
  '(– : no request waited in any seed.)',
].join('\n'));
'''),
(C, r'''
const us = (s: number) => s * 1e6;
const rows = sweep.map(({ c, rho, runs, closed }) => {
  const s = spread(runs.map((r) => r.meanWait));
  const p = spread(runs.map((r) => r.pWait)).mean;
  const waited = s.mean > 0;
  return { c, rho, closed, s, p, waited, z: waited ? (s.mean - closed.Wq) / (s.sd / Math.sqrt(SEEDS.length)) : NaN,
    pErr: p / closed.pWait - 1, waits: runs.reduce((a, r) => a + r.pWait * r.served, 0) };
});
showTable(rows.map(({ c, rho, closed, s, p, waited, z }) => ({ c, ρ: rho,
  'Erlang C: P(wait)': sig(closed.pWait), 'simulated P(wait)': sig(p),
  'Erlang C Wq (µs)': sig(us(closed.Wq)), 'simulated Wq (µs)': sig(us(s.mean)),
  'sd over seeds': waited ? pct(s.sd / s.mean) : '–',
  'error of the mean': waited ? pct(s.mean / closed.Wq - 1) : '–', 'in standard errors': waited ? z.toFixed(1) : '–' })),
  { caption: 'Closed form vs simulation, 5 seeds × 200,000 requests each (– : no request waited in any seed)' });
const measured = rows.filter((r) => r.waited);
const worstZ = measured.reduce((a, r) => (Math.abs(r.z) > Math.abs(a.z) ? r : a));
const many = rows.filter((r) => r.waits >= 1000); // P(wait) measured on at least 1,000 waiting requests
const worstP = many.reduce((a, r) => (Math.abs(r.pErr) > Math.abs(a.pErr) ? r : a));
const fewP = rows.filter((r) => r.waits < 1000);
showMarkdown(`Every simulated mean lies within **${Math.abs(worstZ.z).toFixed(1)}** standard errors of the closed form ` +
  `(the sd over seeds divided by √5; the farthest is c = ${worstZ.c} at ρ = ${worstZ.rho}). ` +
  `Where at least 1,000 requests waited, the fraction that waited at all matches Erlang C's C(c, a) within ` +
  `**${pct(Math.abs(worstP.pErr))}** (c = ${worstP.c}, ρ = ${worstP.rho}); below that ` +
  `(${fewP.map((r) => `c = ${r.c} at ρ = ${r.rho}: ${Math.round(r.waits)} waited`).join('; ')}) the counts are too small to compare percentages.`);
'''),
(M, r'''

## Little's law, in every run

L = λW: the average number of requests in the system equals the arrival rate times the average time each
spends there. The pool measures the two sides independently — L by integrating the count over time, W by
averaging each request's own wait and service — and asserts the identity behind the law in every run (the
time integral equals the sum of the requests' times, exactly; a mismatch is a bookkeeping bug and throws).
What is left between L and λW below is the end effect of the warm-up: requests that arrived before the
measurement window started but were still inside.
'''),
(C, r'''
showTable(sweep.filter((s) => [0.5, 0.9, 0.95].includes(s.rho)).map(({ c, rho, runs }) => {
  const r = runs[0];
  return { c, ρ: rho, 'λ (admitted/s)': r.admitted / r.window, 'W (ms)': ms(r.meanSojourn), 'λW': r.little.system.lambdaW,
    'L (time average)': r.L, '|L − λW| / L': r.little.system.relError.toExponential(1),
    'Lq': r.Lq, 'λWq': r.little.queue.lambdaW, 'utilisation': r.utilisation };
}), { caption: "Little's law, seed 1: L = λW and Lq = λWq" });
'''),
(M, r'''
## What the deck's monitoring shows: `cmd`, `cmdq`, `htime`

*"一切就绪后，最重要的就是监控"* — once everything is ready, what matters most is monitoring. The deck's
dashboard has, per server and summed, **`cmd`** (requests per second), **`cmdq`** (队列堆积量, the queue
backlog) and **`htime`** (超时量, timeouts). They are this queue's observables: `cmd` is λ, `cmdq` is the number
waiting, and `htime` counts requests that waited longer than a timeout T.

For M/M/c the fraction of requests over T has a closed form too: P(W > T) = C·e^{−(cμ − λ)T}. The exponent is
the *spare* capacity cμ − λ times T. While there is plenty of spare capacity, e^{−…} crushes htime to
nothing; as the spare capacity runs out the exponent goes to zero and htime jumps to C ≈ 1. Below: 8 workers,
timeouts of 5, 20 and 100 ms.
'''),
(C, r'''
const C8 = 8;
const Ts = [0.005, 0.02, 0.1];
const htModel = Ts.flatMap((T) => Array.from({ length: 91 }, (_, i) => 0.9 + i * 0.001)
  .map((rho) => ({ x: rho, y: waitExceeds(rho * C8 * MU, MU, C8, T), series: `T = ${ms(T)} ms` })));
const htSim = Ts.flatMap((T) => [0.9, 0.93, 0.95, 0.97, 0.98, 0.99].map((rho) => {
  const f = [1, 2, 3].map((seed) => {
    const r = runWorkerPool({ arrivalRate: rho * C8 * MU, workers: C8, service: exp, customers: N, warmup: WARMUP, timeout: T, seed });
    return r.timedOut / r.served;
  });
  const s = spread(f);
  return { x: rho, y: s.mean, lo: s.min, hi: s.max, series: `T = ${ms(T)} ms` };
}));
await show(modelVsSimChart(htModel, htSim, { title: 'htime: the share of requests waiting longer than T (8 workers, 1 ms each)',
  xTitle: 'load per worker ρ', yTitle: 'fraction of requests over T', width: 560, height: 300,
  subtitle: 'lines: C·e^(−(cμ−λ)T) · points: simulation, mean of 3 seeds · bars: min–max' }));
'''),
(M, r'''
This is why `htime` is an alarm and not a gauge: with a 100 ms timeout it reads zero all the way to 98%
busy, then a few more percent of traffic turns a large share of requests into timeouts. (The simulation's
spread is wide near the cliff: a 200,000-request run at ρ = 0.99 is only 25 s of traffic, a handful of
busy periods.) The same cliff seen the way an operator sees it — per-second series, 8 workers, T = 20 ms, at
90%, 98% and 102% of capacity for two minutes:
'''),
(C, r'''
const loads = [0.9, 0.98, 1.02];
const DURATION = 120;
const monitored = loads.map((rho) => ({ rho, r: runWorkerPool({ arrivalRate: rho * C8 * MU, workers: C8, service: exp,
  customers: Math.round(rho * C8 * MU * DURATION), timeout: 0.02, sampleEvery: 1, seed: 7 }) }));
const seriesOf = (pick: (r: PoolStats, i: number) => number) => monitored.flatMap(({ rho, r }) =>
  r.series!.t.map((t, i) => ({ x: t, y: pick(r, i), series: `${Math.round(rho * 100)}% load` })).filter((p) => p.x <= DURATION));
await show(lineChart(seriesOf((r, i) => r.series!.cmdq[i]), { title: 'cmdq: backlog at the end of each second',
  xTitle: 'time (s)', yTitle: 'requests waiting', width: 560, height: 220 }));
await show(lineChart(seriesOf((r, i) => r.series!.htime[i]), { title: 'htime: requests per second that waited longer than 20 ms',
  xTitle: 'time (s)', yTitle: 'timeouts per second', width: 560, height: 220 }));
'''),
(M, r'''
At 90% the backlog flickers around a few requests and `htime` stays at zero. At 98% the mean backlog is
still modest, but it swings: every few seconds a burst of arrivals builds a queue that takes seconds to
drain, and `htime` fires in spikes. At 102% there is no steady state: `cmdq` climbs by λ − cμ ≈ 160
requests every second and never comes back, and after the first seconds nearly **every** request times out —
each waits behind all the ones before it. A rising `cmdq` that does not return to zero at rest is the
signature of a logic layer short of capacity (design.md §7: cmdq ≥ 0 and drains at rest).

**Timeouts that drop.** If a request that has waited T is dropped instead of served late (the client
has given up anyway), the overload turns into `htime` and the backlog stays bounded near λT:
'''),
(C, r'''
const over = { arrivalRate: 1.02 * C8 * MU, workers: C8, service: exp, customers: Math.round(1.02 * C8 * MU * DURATION),
  timeout: 0.02, sampleEvery: 1, recordWaits: true, seed: 7 } as const;
const modes = (['count', 'drop'] as const).map((onTimeout) => ({ onTimeout, r: runWorkerPool({ ...over, onTimeout }) }));
showTable(modes.map(({ onTimeout, r }) => ({
  'on timeout': onTimeout === 'count' ? 'serve it late (count)' : 'drop it (renege)',
  'max cmdq': Math.max(...r.series!.cmdq), 'htime / s (last minute)': r.series!.htime.slice(60, 120).reduce((a, b) => a + b, 0) / 60,
  'served / s': r.throughput, 'p99 wait of served (ms)': ms(r.waitQuantiles!.p99), 'utilisation': r.utilisation,
})), { caption: '102% load for 120 s, 8 workers, T = 20 ms' });
'''),
(M, r'''
Dropping keeps the workers at ~100% doing useful work: everything they serve still answers within 20 ms,
and the excess — about 2% of requests, λ − cμ ≈ 160 per second — shows up as `htime`. Serving late wastes
the same workers on answers nobody waits for, while the backlog (and the memory holding it) grows without
bound. Either way the dashboard says the same thing: add workers.

## A bounded queue: refusing instead of waiting

A real queue has a size. If it holds at most K requests waiting, a request that finds it full is refused at
once (an `error` on the dashboard). With no waiting room at all (K = 0) this is the telephone exchange's
**M/M/c/c**, whose refusal probability is **Erlang B**; with room for K it is M/M/c/(c+K), also in closed
form. Below, 8 workers, queue limits 0, 8 and 32, from light load to 50% overload.
'''),
(C, r'''
const limits = [0, 8, 32];
const blModel = limits.flatMap((K) => Array.from({ length: 101 }, (_, i) => 0.5 + i * 0.01)
  .map((rho) => ({ x: rho, y: mmck(rho * C8 * MU, MU, C8, C8 + K).blocking, series: K === 0 ? 'no queue (Erlang B)' : `queue limit ${K}` })));
const blSim = limits.flatMap((K) => [0.5, 0.7, 0.9, 1.0, 1.1, 1.3, 1.5].map((rho) => {
  const b = spread([1, 2, 3].map((seed) => runWorkerPool({ arrivalRate: rho * C8 * MU, workers: C8, service: exp,
    customers: 100_000, warmup: 2000, queueLimit: K, seed }).blockingRate));
  return { x: rho, y: b.mean, lo: b.min, hi: b.max, series: K === 0 ? 'no queue (Erlang B)' : `queue limit ${K}` };
}));
await show(modelVsSimChart(blModel, blSim, { title: 'Refused requests vs load, 8 workers', xTitle: 'offered load per worker a/c',
  yTitle: 'fraction refused', width: 560, height: 300,
  subtitle: 'lines: Erlang B / M/M/c/K · points: simulation, mean of 3 seeds · bars: min–max' }));
showMarkdown(`Erlang B for 8 workers at 70% load (a = 5.6 Erlangs): **${pct(erlangB(8, 5.6))}** refused. ` +
  `At a = 8 Erlangs (100%): **${erlangB(8, 8).toFixed(4)}** refused; ` +
  `with room for 8 waiting: **${mmck(8000, 1000, 8, 16).blocking.toFixed(4)}**; for 32: **${mmck(8000, 1000, 8, 40).blocking.toFixed(4)}**.`);
'''),
(M, r'''
With no queue, 8 workers at 70% load already refuse a tenth of the requests (the number is above) — randomness
alone makes all 8 busy now and then. A little waiting room absorbs those bursts: a queue of 32 refuses next to nothing below 90%.
But no queue helps in **overload**: past a/c = 1 every curve approaches 1 − c/a (at 150% load, a third of
the requests must be refused whatever the queue). A bounded queue only chooses *how* the excess shows up:
as refusals right away (`error`) or as waits and timeouts (`cmdq`, `htime`) first. Sizing the logic layer is
about the workers; the queue's bound is about how it fails.

## Does the service-time distribution matter?

Erlang C assumes exponential service. Real handlers are more regular (a fixed cost per message) or much
less (a store call that sometimes takes 50 ms). For one worker, Pollaczek–Khinchine gives the mean wait
for any distribution: Wq = λ·E[S²] / (2(1 − ρ)) — it depends on the variability of S through (1 + cv²)/2.
'''),
(C, r'''
const rho1 = 0.8;
const dists = [
  { name: 'deterministic (cv 0)', service: { dist: 'det', mean: S } as const, cv: 0 },
  { name: 'uniform 0.5–1.5 ms (cv 0.29)', service: { dist: 'uniform', min: 0.5 * S, max: 1.5 * S } as const, cv: 1 / Math.sqrt(12) },
  { name: 'exponential (cv 1)', service: exp, cv: 1 },
  { name: 'lognormal (cv 2)', service: { dist: 'lognormal', mean: S, cv: 2 } as const, cv: 2 },
];
showTable(dists.map((d) => {
  const s = spread(SEEDS.map((seed) => runWorkerPool({ arrivalRate: rho1 * MU, workers: 1, service: d.service, customers: N, warmup: WARMUP, seed }).meanWait));
  const pk = mg1(rho1 * MU, S, d.cv).Wq;
  return { 'service time (mean 1 ms)': d.name, 'Pollaczek–Khinchine Wq (ms)': ms(pk), 'simulated Wq (ms)': ms(s.mean),
    'sd over seeds': `${(100 * s.sd / s.mean).toFixed(1)}%`, 'vs exponential': `${(pk / mg1(rho1 * MU, S, 1).Wq).toFixed(2)}×` };
}), { caption: 'One worker at ρ = 0.8, 5 seeds × 200,000 requests' });
'''),
(M, r'''
Same mean work, same load — and the wait ranges from half the exponential case (a fixed cost) to 2.5 times
it (a heavy tail, cv = 2). A heavy-tailed handler is the common case in a logic layer that calls a store, so
Erlang C, which assumes cv = 1, is optimistic there: size with the measured variability, or keep slow calls
(history fetches, media) off the workers that serve the fast path. The heavy tail also makes the simulation
noisier (the sd column), which is the same effect seen from the other side: rare long requests dominate.

**Where this is used.** The capacity planner (`imsim capacity`, notebook 05) sizes the logic workers with
these formulas and confirms the size with this simulation; the tests in `test/sim/queueing/` hold the
simulation to the closed forms across seeds.
'''),
]
nb(cells, os.path.join(os.path.dirname(__file__), '..', '04-logic-layer-queues.ipynb'))
