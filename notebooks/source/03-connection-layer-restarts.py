# Source of notebooks/03-connection-layer-restarts.ipynb: python3 notebooks/source/03-connection-layer-restarts.py
import os, sys; sys.path.insert(0, os.path.dirname(__file__))
from mknb import nb
M, C = 'markdown', 'code'
cells = [
(M, r'''
# 03 · Restarting the connection layer

The deck's slide on the connection layer (连接层) lists three ways to run it:

> **允许随时重启更新 / 只允许晚上重启 / 不允许重启断线**
> restart and update any time / restart only at night / never restart (a restart drops connections)

Every client holds one long-lived TCP connection to a connection server. Restarting that server drops
every connection it holds, and every one of those clients reconnects — and logs in again, which is work
for the **logic layer** (逻辑层). The deck's answer is to keep the connection layer so simple that it almost
never needs restarting, and to put everything that changes into the logic layer behind an async queue,
which *may* restart any time (notebook 04). This notebook measures what restarting the connection layer
costs, and how much of that cost is the restart *policy* and the clients' *reconnect backoff*.

**The model** (`ConnectionLayer`, `src/sim/connection-layer/`), driven by the same deterministic kernel as the rest
of imsim:

| part | what it does |
|---|---|
| server | a connection limit, memory per connection, CPU per accept / login / heartbeat, an **accept rate** (connections/s) and a **listen backlog**: connections arriving faster than it accepts wait in the backlog; when the backlog is full they are **refused** (a reset, after half a round trip); a connection that waits longer than the client's connect timeout (10 s) **fails** |
| balancer | least-loaded (also round-robin, random) over the servers that accept |
| client | one row of typed arrays (≈ 180 bytes with its pending event, so a million fit in memory); round trip 40–400 ms; heartbeats every 270 s (answered by the connection layer, no logic request); reconnects with a policy from `RECONNECT` |
| login | after an accept, `AUTH` + the first sync: **2 logic-layer requests**, counted as logic QPS |
| users | come and go with the time of day (80% of them online at the 21:00 peak, ~10% at 04:00; sessions of 30 min on average) |

Sizes are scaled down so the notebook runs in seconds: 6,000 users on 4 servers, each server accepting 500
connections/s with a backlog of 128. The shapes are what matter; `imsim capacity` (notebook 05) scales the numbers.
'''),
(C, r'''
import { runConnectionLayer, runS5, World, S5_SETUP, diurnalCurve, RECONNECT,
  show, showTable, showMarkdown, lineChart, type RestartPlan, type LayerResult, type ReconnectPolicy } from 'imsim';

const PEAK = 21 * 3600;          // 21:00, the evening peak
const DOWNTIME = 30;             // s until a restarted server is back in the balancer (process start + health checks)
const base = { clients: 6000, servers: 4, server: { limit: 3000, acceptRate: 500, backlog: 128 },
  diurnal: { peakOnline: 0.8 }, heartbeat: 'fixed-270s', reconnect: 'exponential', seed: 1, seconds: 86_400 };
const policies: { name: string; plan: RestartPlan | null }[] = [
  { name: 'never restart', plan: null },
  { name: 'hard 21:00', plan: { policy: 'hard', at: PEAK, downtime: DOWNTIME } },
  { name: 'drain 21:00', plan: { policy: 'drain', at: PEAK, downtime: DOWNTIME, window: 120 } },
  { name: 'rolling 21:00', plan: { policy: 'rolling', at: PEAK, downtime: DOWNTIME } },
  { name: 'night: hard 04:00', plan: { policy: 'night', at: 0, downtime: DOWNTIME } },
];
const runs = policies.map((p) => ({ ...p, r: runConnectionLayer({ ...base, restarts: p.plan ? [p.plan] : [] }) }));
const hhmm = (s: number) => `${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}`;
showTable(runs.map(({ name, r }) => {
  const x = r.restarts[0];
  return { policy: name, 'starts at': x ? hhmm(x.start) : '–', 'online before': x?.sessionsBefore ?? '–',
    'connections closed': x?.cut ?? 0, 'fewest online': x?.minSessions ?? '–',
    'peak accepts/s': r.peaks.acceptsPerS, 'peak logic QPS': r.peaks.logicQps, refused: r.totals.refused, failed: r.totals.failed,
    'over, 99% back after (s)': x?.reconnected99 === null || !x ? '–' : Math.round(x.reconnected99) };
}), { caption: 'One simulated day per policy: 6,000 users, 4 servers (seed 1)' });
'''),
(M, r'''
How to read the columns. **Connections closed** counts every connection a restart ended (a drain or rolling restart
closes some clients twice: moved onto a server that is restarted later). **Fewest online** is the lowest
count of logged-in sessions during the operation. **Peak accepts/s** and **peak logic QPS** are the busiest single
second of the day (without a restart that is just ordinary arrivals). **Over, 99% back** is the time from the start
of the operation until its last server is back and 99% of the clients it closed are logged in again (users
who closed the app meanwhile are not owed a reconnect).

## The day, and where the restart falls in it
'''),
(C, r'''
// Per minute, the lowest count of the minute: a restart's dip stays visible at this scale.
const perMinuteMin = (r: LayerResult, name: string) => {
  const out: { x: number; y: number; series: string }[] = [];
  for (let i = 0; i < r.series.t.length; i += 60) {
    out.push({ x: r.series.t[i] / 3600, y: Math.min(...r.series.sessions.slice(i, i + 60)), series: name });
  }
  return out;
};
await show(lineChart(runs.filter((x) => ['never restart', 'hard 21:00', 'night: hard 04:00'].includes(x.name))
  .flatMap(({ name, r }) => perMinuteMin(r, name)),
  { title: 'Users online over one day (lowest each minute)', xTitle: 'hour of the day', yTitle: 'logged-in sessions', width: 620, height: 260 }));
const cutBy = (name: string) => runs.find((x) => x.name === name)!.r.restarts[0].cut;
const [peakCut, nightCut] = [cutBy('hard 21:00'), cutBy('night: hard 04:00')];
showMarkdown(`The curve's trough is at **${hhmm(diurnalCurve().troughUs / 1e6)}**: that is when the "night" policy restarts. ` +
  `The hard restart at 21:00 closed **${peakCut.toLocaleString('en')}** connections, the same restart at night ` +
  `**${nightCut.toLocaleString('en')}**: ${(peakCut / nightCut).toFixed(1)}× fewer.`);
'''),
(M, r'''
The three lines lie on top of each other except for two narrow notches: the hard restart at 21:00 takes *everyone*
offline, the night restart at 04:00 only the few who are online then (the counts above). That
is the whole argument for **只允许晚上重启**: the same operation, nearly an order of magnitude fewer people affected and a
proportionally smaller reconnect storm. Its cost is operational: a fix waits for the night, and someone is awake at 04:00.

## Zoomed in: the first minutes of each restart

Below, time is measured from the start of each operation. A **hard** restart stops all four servers at once;
a **drain** takes one server at a time out of the balancer, closes its connections spread over 2 minutes (its
clients reconnect to the other servers), restarts it and moves on; a **rolling** restart cuts one server at a time
and waits until the layer is back to 99% of its sessions before the next.
'''),
(C, r'''
const restarted = runs.filter((x) => x.plan);
const zoom = (pick: (s: LayerResult['series'], i: number) => number, from = -60, to = 720) => restarted.flatMap(({ name, r }) => {
  const t0 = r.restarts[0].start;
  const pts: { x: number; y: number; series: string }[] = [];
  r.series.t.forEach((t, i) => { const x = t - t0; if (x >= from && x <= to) pts.push({ x, y: pick(r.series, i), series: name }); });
  return pts;
});
await show(lineChart(zoom((s, i) => s.sessions[i]), { title: 'Users online around the restart',
  xTitle: 'seconds since the operation started', yTitle: 'logged-in sessions', width: 620, height: 260 }));
'''),
(M, r'''
- **Hard**: online drops to zero at once and stays there for the 30 s the servers are down; then the clients,
  backing off exponentially with jitter, trickle back over the next tens of seconds.
- **Drain**: the line barely moves. At any moment only a few of one server's clients are between connections,
  and each of them finds another server straight away. It takes the longest (4 servers × (2 min + 30 s)), and
  it needs spare capacity on the other servers while one is out — the deck's "run at 50%" rule provides it.
- **Rolling**: a notch per server, every 30 s (the layer is back within a few seconds of each server's return).
  The notches after the first are deeper: the first server's clients move onto the other three, so those hold a
  third more each when their turn comes; a restarted server comes
  back empty and the least-loaded balancer fills it with the next server's clients. Rolling restarts move some
  clients more than once.
- **Night**: the same hard restart at 04:00, with a fraction of the users (the ratio computed above).
'''),
(C, r'''
await show(lineChart(zoom((s, i) => s.accepts[i], -30, 300), { title: 'Accepts per second around the restart',
  xTitle: 'seconds since the operation started', yTitle: 'connections accepted / s (4 servers)', width: 620, height: 260 }));
await show(lineChart(zoom((s, i) => s.logicQps[i], -30, 300), { title: 'Logic-layer requests per second (logins: AUTH + first sync)',
  xTitle: 'seconds since the operation started', yTitle: 'logic requests / s', width: 620, height: 260 }));
const byName = (name: string) => runs.find((x) => x.name === name)!.r;
const [hard, calm] = [byName('hard 21:00'), byName('never restart')];
showMarkdown(`The hard restart at 21:00: **${hard.restarts[0].cut.toLocaleString('en')}** clients reconnect, at up to ` +
  `**${hard.peaks.acceptsPerS}** accepts/s — **${Math.round(hard.peaks.acceptsPerS / calm.peaks.acceptsPerS)}×** the busiest ` +
  `second of the same day without a restart (${calm.peaks.acceptsPerS}/s) — and up to **${hard.peaks.logicQps}** logic requests/s.`);
'''),
(M, r'''
The storm is the hard restart's hump right after the servers come back (the numbers just above): every client
in some 10 seconds, tens of times the busiest second of an ordinary day, and the logic layer takes twice that in
logins (AUTH and the first sync). (Their exponential backoff with jitter is what spreads them over those 10 seconds;
S5 below shows what happens without it.) A rolling restart
makes one sharp spike per server — its clients all reconnect within the first second, before any backoff has
spread them — aimed at the three remaining servers, whose backlogs overflow (the table's *refused* column). A drain
never exceeds a few dozen accepts per second: it *chooses* the rate at which clients reconnect (connections ÷
window). That is the real lever: a restart policy is a way of choosing the reconnect rate instead of letting the
clients' backoff choose it.

## S5: the reconnect storm and the clients' backoff

When a hard restart does happen — a crash, a kernel upgrade, a data-centre failover — the peak is decided by the
clients' **reconnect backoff**. Scenario S5 (`imsim sim --scenario s5-reconnect-storm`) restarts a layer of
4 servers × 10,000 clients (each server accepting 10,000/s, backlog 1024; down for 30 s) and runs four backoffs from
`RECONNECT` side by side:
'''),
(C, r'''
// Each policy in words (the numbers are RECONNECT's own).
const dur = (us: number) => us >= 1e6 ? `${+(us / 1e6).toFixed(1)} s` : `${+(us / 1000).toFixed(1)} ms`;
const list = (uss: number[], unit: 's' | 'ms') => uss.map((us) => +(unit === 's' ? us / 1e6 : us / 1000).toFixed(1)).join(', ') + ` ${unit}`;
const describe = (p: ReconnectPolicy): string => {
  switch (p.kind) {
    case 'fixed': return `every ${dur(p.delayUs)}, no jitter`;
    case 'stepped': return `${list(p.stepsUs, 'ms')}, then every ${dur(p.thenUs)}; no jitter`;
    case 'exponential': {
      const steps: number[] = [];
      for (let d = p.baseUs; d < p.maxUs; d *= 2) steps.push(d);
      return `${list([...steps, p.maxUs], 's')}, then every ${dur(p.maxUs)}; each drawn between ${Math.round((1 - p.jitter) * 100)}% and 100% of its step`;
    }
    case 'mars': return `${list(p.baseUs, 's')} (then every ${dur(p.baseUs[p.baseUs.length - 1])}), each plus 0–${dur(p.jitterUs)} at random`;
  }
};
showTable(Object.entries(RECONNECT).map(([name, p]) => ({ backoff: name, 'delay before each retry': describe(p) })),
  { caption: 'The four reconnect backoffs (RECONNECT)' });
const storm = runS5(new World({ protocol: 'versioned', seed: 1 }));
showTable(storm.map(({ backoff, result: r }) => ({ backoff, 'peak attempts/s': r.peaks.attemptsPerS, 'peak accepts/s': r.peaks.acceptsPerS,
  'peak logic QPS': r.peaks.logicQps, refused: r.totals.refused, 'failed (timed out)': r.totals.failed,
  '99% back after (s)': r.restarts[0].reconnected99 === null ? 'never' : +r.restarts[0].reconnected99.toFixed(1) })),
  { caption: `S5: ${S5_SETUP.clients.toLocaleString('en')} clients, hard restart at ${S5_SETUP.restartAt} s, servers back ${S5_SETUP.downtime} s later (seed 1)` });
'''),
(C, r'''
const stormZoom = (pick: (s: LayerResult['series'], i: number) => number, from = -5, to = 100) => storm.flatMap(({ backoff, result: r }) => {
  const pts: { x: number; y: number; series: string }[] = [];
  r.series.t.forEach((t, i) => { const x = t - S5_SETUP.restartAt; if (x >= from && x <= to) pts.push({ x, y: pick(r.series, i), series: backoff }); });
  return pts;
});
await show(lineChart(stormZoom((s, i) => s.attempts[i]).filter((p) => p.y > 0), { title: 'Connection attempts per second (log scale)',
  xTitle: 'seconds since the restart', yTitle: 'attempts / s', yScale: 'log', width: 620, height: 260 }));
showMarkdown(`Peak connection attempts per second: ${storm.map(({ backoff, result: r }) => `${backoff} **${r.peaks.attemptsPerS.toLocaleString('en')}**`).join(', ')}.`);
'''),
(M, r'''
This is what the balancer and the servers' listen sockets see. **Fixed** (1 s, no jitter) sends the whole
population every second for as long as the servers refuse: one attempt per client per second, almost all refused. **Stepped**
(Phoenix: 10, 50, 100 … 2000 ms, then every 5 s) is worse at first — several attempts per client in the first
second — and then knocks in rounds every 5 s, each round smeared over a few seconds (every refusal comes back after
that client's own round trip, so the clients drift apart). **Exponential with jitter** (1, 2, 4, 8, 16 s, each
drawn from the upper half of its interval) spreads its attempts out more with every try. **Mars** (WeChat: 15 s +
up to 20 s, then 30 s, 2 min …) knocks at a low, steady rate.
'''),
(C, r'''
await show(lineChart(stormZoom((s, i) => s.accepts[i]), { title: 'Accepts per second after the restart',
  xTitle: 'seconds since the restart', yTitle: 'accepted / s (4 servers)', width: 620, height: 260 }));
await show(lineChart(stormZoom((s, i) => s.logicQps[i]), { title: 'Logic-layer requests per second (logins)',
  xTitle: 'seconds since the restart', yTitle: 'logic requests / s', width: 620, height: 260 }));
// What the accepts chart shows, per backoff: the busiest second and the seconds it takes to accept 99% of the clients.
const [fx, ph, ex, ma] = ['fixed', 'phoenix', 'exponential', 'mars'].map((b) => storm.find((x) => x.backoff === b)!.result);
const sinceReturn = (r: LayerResult, i: number) => r.series.t[i] - S5_SETUP.restartAt - S5_SETUP.downtime;
const busy = (r: LayerResult) => r.series.accepts.filter((a, i) => sinceReturn(r, i) > 0 && a > 0.5 * r.peaks.acceptsPerS).length;
const maFirst = Math.max(...ma.series.sessions.filter((_, i) => sinceReturn(ma, i) > 0 && sinceReturn(ma, i) <= 10)) / S5_SETUP.clients;
showMarkdown(`Busiest second of accepts after the servers' return: fixed **${fx.peaks.acceptsPerS.toLocaleString('en')}**, ` +
  `phoenix **${ph.peaks.acceptsPerS.toLocaleString('en')}** (${Math.round(ph.peaks.acceptsPerS / S5_SETUP.clients * 100)}% of the clients per second, ` +
  `for ${busy(ph)} seconds), exponential **${ex.peaks.acceptsPerS.toLocaleString('en')}**, mars **${ma.peaks.acceptsPerS.toLocaleString('en')}**. ` +
  `Fixed's peak is ${(fx.peaks.acceptsPerS / ex.peaks.acceptsPerS).toFixed(1)}× exponential's; ` +
  `${Math.round(maFirst * 100)}% of Mars's clients are back within 10 s of the return.`);
'''),
(M, r'''
When the servers come back at 30 s, the fixed-interval clients arrive **all at once**: every client's next retry
falls within the same second. The backlogs fill in milliseconds, the servers accept as fast as they can, the rest
are refused and come back a second later — a wall of accepts and of logins for the logic layer, several times what
the jittered clients produce (the ratio above). The stepped clients do *not* arrive as one wall: by the time the
servers return, their 5-second retries have drifted apart over the whole 5-second interval, so each second about a
fifth of them knocks, is accepted, and they are all back within one retry interval (the numbers above): a
plateau, not a spike, and finished a few seconds after the return. The jittered exponential clients arrive
spread over the width of their current backoff interval (8–16 s by then), so the servers see a fraction of the
peak and the logic layer too. Mars's first retry comes 15–35 s after the cut: the clients whose retry
falls after the servers' return get in at once, the rest wait another 30–50 s. The accept rate of the servers is
the layer's only protection against the no-jitter policies: without that limit their peak would be the whole
population in one second.
'''),
(C, r'''
await show(lineChart(stormZoom((s, i) => s.sessions[i] / S5_SETUP.clients, -5, 120), { title: 'Share of clients logged in again',
  xTitle: 'seconds since the restart', yTitle: 'fraction online', width: 620, height: 240 }));
const backAfter = (r: LayerResult) => r.restarts[0].reconnected99 === null ? 'never' : `${(r.restarts[0].reconnected99 - S5_SETUP.downtime).toFixed(1)} s`;
showMarkdown(`99% of the clients back, counted from the servers' return: ${storm.map(({ backoff, result: r }) => `${backoff} **${backAfter(r)}**`).join(', ')}.`);
'''),
(M, r'''
The price of jitter is time (the numbers just above): the fixed clients are back as fast as the servers accept
them, the jittered exponential ones a few backoff intervals later, Mars's last of all. Every backoff gets
99% back (the scenario's checks, `test/sim/scenarios/s5-reconnect-storm.test.ts`). The trade-off:

| | peak on the servers and the logic layer | time to get everyone back |
|---|---|---|
| fixed interval, no jitter | the whole population at once, every interval | shortest, if the servers survive it |
| stepped (Phoenix), no jitter | several attempts per client in the first second, then a round every 5 s; after the return a plateau of accepts for one 5 s interval | short |
| exponential + jitter | a fraction of it | a few backoff intervals longer |
| Mars (long base + jitter) | small | the longest |

## What the deck's three regimes mean, in these numbers

- **允许随时重启更新 — restart any time.** Possible if restarts never take everyone at once: drain or rolling, with
  spare capacity on the other servers (the 50% rule), and clients with jittered backoff for the day a hard restart
  happens anyway. A drain is the gentlest; it is also the slowest.
- **只允许晚上重启 — only at night.** The same hard restart at the trough costs a fraction of the disconnections
  and of the storm (the ratio computed in the day's chart above); the price is waiting for the night.
- **不允许重启断线 — never restart.** No disconnections at all — which is why the deck keeps the connection layer
  simple and asynchronous (总的来说简单/异步) and moves what changes into the logic layer, which restarts without
  dropping anyone (scenario S6).

The model behind these charts runs a million clients: `npm run bench -- "connection layer"` measures about 180 bytes
per idle simulated client and one simulated hour of heartbeats in about 20 s on this machine.
'''),
]
nb(cells, os.path.join(os.path.dirname(__file__), '..', '03-connection-layer-restarts.ipynb'))
