# Source of notebooks/07-sim-vs-real.ipynb: python3 notebooks/source/07-sim-vs-real.py
import os, sys; sys.path.insert(0, os.path.dirname(__file__))
from mknb import nb
M, C = 'markdown', 'code'
cells = [
(M, r'''
# 07 · The simulator against the real thing

Everything the other notebooks conclude comes from the simulator. Is it right? This notebook runs **one
scenario twice**: once in the deterministic simulator, once for real — real TCP sockets on 127.0.0.1,
imsim's real server (`imsim serve`, embedded store), real clients, and between the clients and the server
the **chaos proxy**, which applies the simulator's link model to the real byte streams.

Both runs share everything that can be shared:

| | simulator | real |
|---|---|---|
| client state machine | `ImClient` (src/protocol/client.ts) | the same, over `net.Socket` |
| connection + logic layers | `Gateway`, `LogicLayer` | the same, in `imsim serve` |
| link model | `DeviceLink` + `TcpConnection` (src/sim/network/) on the kernel | the same classes in the proxy, on a paced real-time clock |
| traffic | alice sends bob N messages at Poisson times | the same times and bodies (the same seeded stream) |
| judged by | the delivery ledger and run metrics (src/sim/ledger.ts, metrics.ts) | the same |

The scenario is the workload of notebook 02, scaled down so it runs in seconds: alice on Wi-Fi sends bob,
on 3G (100 ms each way, 780/330 kbit/s), 80 messages, one every 40 ms on average.
'''),
(C, r'''
import { simVsReal, simVsRealTable, showTable, showMarkdown, show, cdfChart, barChart, lineChart,
  startServer, RealRun, PROFILES, type SimVsReal } from 'imsim';

const results: SimVsReal[] = [];
for (const protocol of ['queue', 'versioned'] as const) {
  results.push(await simVsReal({ protocol, profile: '3g', messages: 80, meanGapMs: 40, seed: 1 }));
}
showTable(simVsRealTable(results), { caption: 'One scenario: alice (wifi) → bob (3g), 80 messages, simulated and real' });
'''),
(M, r'''
## Delivery outcomes: identical

The ledger judges each message: was it delivered, applied twice, out of order, lost? Those outcomes do not
depend on how many microseconds things took, only on what the protocols do — and the protocol code is the
same object in both runs. Bob's screen must show the same messages in the same order:
'''),
(C, r'''
const lines = results.map((r) => {
  const keys = ['sent', 'unique', 'lost', 'duplicates', 'outOfOrder'] as const;
  const same = keys.every((k) => r.sim.metrics.delivery[k] === r.real.metrics.delivery[k]);
  return `- **${r.protocol}**: bob saw ${r.real.bobSaw.length} messages for real and ${r.sim.bobSaw.length} in the simulator — ` +
    `${r.sameDeliveries ? 'the same messages in the same order' : '**different messages**'}; ledger counts ${same ? 'identical' : '**differ**'}.`;
});
showMarkdown(lines.join('\n'));
if (!results.every((r) => r.sameDeliveries)) throw new Error('the simulator and the real run disagree on what bob saw');
'''),
(M, r'''
## Latency, side by side

Send-to-screen latency of every message, as a cumulative distribution: the simulator's prediction and the
real measurement for each protocol.
'''),
(C, r'''
const samples = results.flatMap((r) => [
  ...r.sim.latenciesMs.map((v) => ({ series: `${r.protocol} · simulator`, value: v })),
  ...r.real.latenciesMs.map((v) => ({ series: `${r.protocol} · real`, value: v })),
]);
await show(cdfChart(samples, { title: 'Send-to-screen latency on 3G: simulator vs real sockets', xTitle: 'ms from send to screen', width: 560, height: 260 }));
const q = ['p50', 'p95', 'p99'] as const;
const key = { p50: 'latencyP50Ms', p95: 'latencyP95Ms', p99: 'latencyP99Ms' } as const;
await show(barChart(results.flatMap((r) => q.flatMap((p) => [
  { category: `${r.protocol} ${p}`, group: 'simulator', value: r.sim.metrics.delivery[key[p]] },
  { category: `${r.protocol} ${p}`, group: 'real', value: r.real.metrics.delivery[key[p]] },
])), { title: 'Latency percentiles (ms)', xTitle: '', yTitle: 'ms', width: 520, height: 220 }));
const diff = results.map((r) => ({ protocol: r.protocol,
  'p50 real − sim (ms)': +(r.real.metrics.delivery.latencyP50Ms - r.sim.metrics.delivery.latencyP50Ms).toFixed(2),
  'p95 real − sim (ms)': +(r.real.metrics.delivery.latencyP95Ms - r.sim.metrics.delivery.latencyP95Ms).toFixed(2),
  'real run (s)': +(r.real.timeMs / 1000).toFixed(1), 'sim events': r.sim.events, 'sim fingerprint': r.sim.fingerprint }));
showTable(diff, { caption: 'How far the real run is from the prediction, by percentile' });
'''),
(M, r'''
Percentiles of 80 samples from a stepped distribution can jump from one step to the next when a message
moves by a few milliseconds. The honest comparison is **message by message**: bob applied the same
messages in the same order in both runs, so the i-th latency of one run belongs to the same message as the
i-th of the other.
'''),
(C, r'''
const perMessage = results.map((r) => {
  const d = r.real.latenciesMs.map((v, i) => v - r.sim.latenciesMs[i]).sort((a, b) => a - b);
  const at = (p: number) => +d[Math.min(d.length - 1, Math.floor(p * d.length))].toFixed(2);
  return { protocol: r.protocol, messages: d.length, 'min (ms)': at(0), 'median (ms)': at(0.5), 'p90 (ms)': at(0.9), 'max (ms)': at(1) };
});
showTable(perMessage, { caption: 'Per message: real latency − simulated latency' });
await show(lineChart(results.flatMap((r) => r.real.latenciesMs.map((v, i) => ({ x: i + 1, series: r.protocol, y: v - r.sim.latenciesMs[i] }))),
  { title: 'Real − simulated latency of each message, in delivery order (ms)', xTitle: 'message (delivery order)', yTitle: 'ms', width: 620, height: 220, points: true }));
// What the table and the chart say, computed from this run (the real run differs every time).
const JITTER_MS = PROFILES['3g'].jitterMs;
const median = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)] : NaN; };
const ms = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} ms`;
const facts = results.map((r) => {
  const d = r.real.latenciesMs.map((v, i) => v - r.sim.latenciesMs[i]);
  // The leading messages sent before alice had logged in: in the simulator they all reach bob together, so their
  // latency falls message by message, far above the protocol's usual latency.
  const usual = median(r.sim.latenciesMs);
  let early = 0;
  while (early < d.length && r.sim.latenciesMs[early] > usual + 50) early++;
  const rest = d.slice(early);
  return { r, d, early, earlyMed: median(d.slice(0, early)), restMed: median(rest),
    within: d.filter((x) => Math.abs(x) <= JITTER_MS).length, trips: d.filter((x) => Math.abs(x) > 100).length,
    firstQ: median(rest.slice(0, Math.floor(rest.length / 4))), lastQ: median(rest.slice(-Math.floor(rest.length / 4))) };
});
showMarkdown(facts.map((f) => `- **${f.r.protocol}**: median difference ${ms(median(f.d))}; ${f.within} of ${f.d.length} messages within ` +
  `the link's jitter (±${JITTER_MS} ms), ${f.trips} off by more than 100 ms. The first ${f.early} messages (sent while alice was ` +
  `still logging in) differ by a median ${ms(f.earlyMed)}, the others by ${ms(f.restMed)}; among those, the first quarter by ` +
  `${ms(f.firstQ)} and the last quarter by ${ms(f.lastQ)}` +
  (f.lastQ - f.firstQ > 2 * JITTER_MS ? ` — a drift over the run larger than the jitter and the per-hop costs below account for: ` +
    `a gap between the two runs that this notebook shows but does not explain.` : '.')).join('\n'));
'''),
(M, r'''
## Why the curves are close but not the same

- **The shape comes from the link model, in both.** The curves' steps are round trips on a 100 ms link:
  the queue protocol pushes the message itself (≈ one trip down after alice's), the versioned protocol pushes
  a notice, bob pulls, the message comes back (≈ three trips). Messages that arrive while bob's `msg-sync`
  is in flight ride along with its answer, which is why versioned has a spread rather than one step. The
  first messages wait in alice's outbox until she has logged in, in both runs: that is the upper tail.
- **What the simulator leaves out, the real run adds.** Every real hop costs event-loop time, loopback
  TCP, the RESP codec and the store: microseconds per message, which the simulator books as fixed 100 µs
  queue hops and a 200 µs store round trip. Real timers also fire late (Node's `setTimeout` has
  millisecond resolution and the event loop is shared); the proxy's paced clock keeps the schedule so that
  lateness never accumulates along a chain of segments, but each delivery can still land up to about a
  millisecond late. These costs only ever make the real run *later*: they push the differences above to the
  positive side, by a few milliseconds per hop when the machine is idle and by more when it is busy (this
  machine is shared; the numbers under the chart are this run's).
- **Randomness is drawn in a different order.** Jitter and loss are drawn per segment from the same seeded
  streams, but real sockets cut bytes differently: Node coalesces several frames written in one turn into
  one segment, and the real server batches its writes per event-loop turn. So the simulator and the proxy
  do not draw the same jitter for the same message: on top of the real run's own costs, a message can differ
  by up to the profile's jitter in either direction (the share within it is computed above).
- **The first messages wait for a login, and a real first login is slower.** The first messages are sent
  before alice has logged in and wait in her outbox; each inherits whatever the login took. In the simulator a
  login costs its round trips; in a fresh process the real one also pays for the first connections through the
  proxy and for code run for the first time (compiled on first use), and the queue protocol's run comes first in
  this notebook. When the first messages' median above is well above the others', that is the likely cause
  (an explanation, not measured here: the notebook does not time the logins).
- **A few milliseconds can be worth a round trip.** With the versioned protocol, a message that reaches
  the server just before bob's `msg-sync` is answered rides along with that answer; one that reaches it just
  after waits for the next push-sync round trip (≈ 200 ms on 3G). When the two runs put a message on
  different sides of that edge, its latency differs by a whole round trip — the points far above or below zero
  (the count "off by more than 100 ms" above).
  Which messages arrive is unaffected; only when.
- **Real runs are not reproducible, and that is the point.** Run this notebook again: the simulator's
  fingerprint is the same every time, the real latencies are not. Decisions that depend on *which messages
  arrive* can be made in the simulator; the real run is there to check it did not leave out something that
  matters.

## Breaking connections for real

The proxy also does what kills connections: resets (both ends learn), half-open cuts (nobody learns: bytes
vanish), NAT expiry, outages. Here four real clients exchange messages through the proxy while every
connection is reset once and later cut half-open (then dropped, as an unanswered heartbeat would); the
log is the proxy's own, the verdict the ledger's.
'''),
(C, r'''
const server = await startServer({ protocol: 'versioned', port: 0 });
const log: string[] = [];
const run = await RealRun.start({ protocol: 'versioned', server: { host: '127.0.0.1', port: server.port }, proxy: true, seed: 7,
  client: { reconnect: { kind: 'fixed', delayUs: 100_000 } }, proxyLog: (l) => log.push(l) });
const users = ['ann', 'ben', 'cat', 'dan'];
for (const u of users) run.add(u, { profile: 'lte' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let verdict: ReturnType<typeof run.ledger.summary>;
try {
  const loginBy = Date.now() + 20_000; // a bound, so a broken setup fails here instead of hanging the notebook
  while (run.online < users.length) {
    if (Date.now() > loginBy) {
      throw new Error(`only ${run.online} of ${users.length} clients logged in within 20 s: check that the server started above ` +
        `(127.0.0.1:${server.port}, versioned) is up and that dist/ is built (bash scripts/setup.sh); the proxy's last lines:\n${log.slice(-8).join('\n')}`);
    }
    await sleep(10);
  }
  for (let i = 0; i < 60; i++) {
    run.send(users[i % 4], users[(i + 1) % 4], `hello ${i}`);
    if (i === 20) run.proxy!.resetAll('reset by the carrier');
    if (i === 40) run.proxy!.cutAll();
    await sleep(15);
  }
  await sleep(300);
  for (const c of run.clients.values()) c.drop(); // what an unanswered heartbeat does after a half-open cut
  const deadline = Date.now() + 15_000;
  while (!run.settled && Date.now() < deadline) await sleep(20);
  verdict = run.ledger.summary();
  if (!run.settled) {
    throw new Error(`not settled within 15 s after the drop: ${verdict.sent} sent, ${verdict.acked} stored, ${verdict.unique} delivered, ` +
      `${verdict.pending} under way, ${run.online} of ${users.length} clients online -- is the server answering? the proxy's last lines:\n${log.slice(-8).join('\n')}`);
  }
} finally {
  await run.stop();
  await server.close();
}
showMarkdown('```\n' + log.filter((l) => /reset|cut|device side|connect/.test(l)).slice(0, 24).join('\n') + '\n```');
showTable([{ sent: verdict.sent, stored: verdict.acked, delivered: verdict.unique, lost: verdict.lost, 'applied twice': verdict.duplicates,
  'out of order': verdict.outOfOrder, reconnects: [...run.clients.values()].reduce((a, c) => a + c.stats.connects - 1, 0) }],
  { caption: 'Versioned protocol through resets and half-open cuts on real sockets' });
if (verdict.lost || verdict.duplicates) throw new Error('the versioned protocol lost or duplicated a message');
'''),
(M, r'''
With the versioned protocol nothing is lost and nothing is applied twice, on real sockets as in the
simulator. The same run is available from the command line:

```sh
imsim compare --real --profile 3g --messages 100        # this notebook's table
imsim proxy --profile edge --listen 7380 --target 127.0.0.1:7379   # any client through a link
imsim load --clients 1000 --duration 20 --profile 3g    # N real clients, the simulator's ledger
```
'''),
]
nb(cells, os.path.join(os.path.dirname(__file__), '..', '07-sim-vs-real.ipynb'))
