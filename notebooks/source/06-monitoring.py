# Source of notebooks/06-monitoring.ipynb: python3 notebooks/source/06-monitoring.py
import os, sys; sys.path.insert(0, os.path.dirname(__file__))
from mknb import nb
M, C = 'markdown', 'code'
cells = [
(M, r'''
# 06 · Monitoring: the deck's dashboard over two simulated days

*"一切就绪后，最重要的就是监控"* — once everything is ready, what matters most is monitoring. The deck shows one
table: per connection server and summed, **`cmd`** (requests per second), **`htime`** (timeouts), **`cmdq`**
(the async queue's backlog), **`error`**; the sessions — **`tot-ses`** (all connections), **`iop-ses`** (a
physical connection, not logging in), **`p-ses`** (waiting for the login verdict), **`session`** (logged in) —
and by platform, **`ios`**, **`eios`** (English iOS), **`android`**, **`wp`**; each with its current value and
a history curve. Beside it, message statistics for **text** and **image** messages: today and the last 1, 5,
10 and 15 minutes, each against the same period **yesterday**.

This notebook runs the simulated deployment for two days so that "yesterday" exists, feeds the deck's
monitor exactly as the real server does (`imsim serve` draws the same dashboard live at `/dashboard`), and
shows what a failure looks like on it.

**The workload** (`src/sim/workload/`, assumptions, scaled down: hundreds of users, not millions): each user
has a platform (android 55%, ios 35%, eios 5%, wp 5%, declared with `CLIENT SETINFO PLATFORM`) and a network
(Wi-Fi, LTE, 3G, EDGE). Users open the app about 8 times a day for ~20 minutes, more in the evening than before
dawn (a diurnal curve); while online they send a message every 2 minutes on average to someone (online or
not). One in ten is an image: it is uploaded over a separate HTTP connection first — its delay depends on the
user's network — and only its media reference travels on the long connection. The logic layer has 2 workers
with service times per command; the monitoring invariants are checked every simulated hour.
'''),
(C, r'''
import { simulateDays, runInvariants, PLATFORMS, deckTableChart, vsYesterdayChart, show, showTable, showMarkdown,
  lineChart, cdfChart, shortNumber, type SeriesPoint } from 'imsim';

const H = 3_600_000_000, MIN = 60_000_000;
// Two days: all of yesterday, and today until 22:00. At 21:30 today the logic layer restarts (down 15 s).
const failAt = 24 * H + 21.5 * H;
const t0 = Date.now();
const run = simulateDays({ users: 300, hours: 46, seed: 1, restart: { at: failAt, downUs: 15_000_000 } });
const { world, monitor, population } = run;
const count = (f: (u: (typeof population.users)[number]) => string) =>
  Object.entries(population.users.reduce((a, u) => ({ ...a, [f(u)]: (a[f(u)] ?? 0) + 1 }), {} as Record<string, number>))
    .map(([k, v]) => `${k} ${v}`).join(', ');
showTable([
  { quantity: 'users (by platform)', value: count((u) => u.platform) },
  { quantity: 'users (by network)', value: count((u) => u.network) },
  { quantity: 'app sessions started', value: population.stats.sessions },
  { quantity: 'messages sent: text / image', value: `${population.stats.text} / ${population.stats.images}` },
  { quantity: 'simulator events', value: world.kernel.executed.toLocaleString('en-US') },
  { quantity: 'invariant checks (hourly) / violations', value: `${run.checks} / ${run.violations.length}` },
  { quantity: 'wall time of the run', value: `${((Date.now() - t0) / 1000).toFixed(1)} s` },
], { caption: 'Two simulated days, 46 h' });
'''),
(M, r'''
## The table, at 22:00 on the second day

The deck's sixteen rows with the slide's names: the current value (requests per second over the last minute;
timeouts and errors in the last minute; the rest as they are now) and the last two hours as a curve, ending now.
'''),
(C, r'''
const rows = monitor.table({ history: 120 });
await show(deckTableChart(rows, { title: 'imsim · the deck\'s monitoring table, 22:00 day 2 (history: last 2 h per minute)' }));
showTable(rows.map((r) => ({ '#': r.n, name: r.name, '指标': r.zh, metric: r.en, 'now': shortNumber(r.value) })));
'''),
(M, r'''
The session rows add up — `tot-ses` = `iop-ses` + `p-ses` + `session` = `ios` + `eios` + `android` + `wp`, the
invariant the deck's table implies; imsim checks it at every minute of the history. `iop-ses` and `p-ses`
are almost always zero here: a client logs in right after it connects (its `CLIENT SETINFO` and `HELLO 3 AUTH`
go in one write), so a connection spends only a round trip in those phases. On a real server a non-zero
`p-ses` that does not drain means the logic layer is not answering logins.

Two rows have a visible bump in their last two hours: `cmdq` and `htime`, at 21:30. That is the restart;
more on it below.

## Two days of history
'''),
(C, r'''
const every = (s: SeriesPoint[], n: number) => s.filter((p) => Math.round(p.t / MIN) % n === 0);
const hours = (p: SeriesPoint) => p.t / H;
await show(lineChart(['tot-ses', ...PLATFORMS].flatMap((m) => every(monitor.series(m as 'tot-ses'), 10)
  .map((p) => ({ x: hours(p), y: p.value, series: m }))), { title: 'Sessions: tot-ses and by platform (every 10 min)',
  xTitle: 'hours since the start of yesterday', yTitle: 'connections', width: 620, height: 240 }));
await show(lineChart(every(monitor.series('cmd'), 10).map((p) => ({ x: hours(p), y: p.value, series: 'cmd_sum' })),
  { title: 'cmd_sum: requests per second (minute averages, every 10 min)', xTitle: 'hours since the start of yesterday',
  yTitle: 'requests / s', width: 620, height: 200 }));
'''),
(M, r'''
The day has its shape: online users bottom out before dawn and peak in the evening, and the request rate
follows them (each message costs a `send`, and the recipient's `msg-sync` and `msg-fin` when online; logins,
heartbeats answered by the connection layer itself, and `CLIENT SETINFO` count too). Both days look alike
but not the same: the same daily curve, different random users and times. (The first hour of yesterday
starts from an empty system: at 00:00 nobody has opened the app yet.)

## Today against yesterday: text and image messages
'''),
(C, r'''
const perHalfHour = (kind: 'text' | 'image') => {
  const out: { x: number; y: number; series: string }[] = [];
  const s = monitor.messageSeries(kind);
  for (const day of [0, 1]) {
    for (let h = 0; h < 24; h += 0.5) {
      const from = (day * 24 + h) * H, to = from + 0.5 * H;
      const pts = s.filter((p) => p.t >= from && p.t < to);
      if (pts.length === 30) out.push({ x: h, y: pts.reduce((a, p) => a + p.value, 0), series: `${kind}, ${day ? 'today' : 'yesterday'}` });
    }
  }
  return out;
};
await show(lineChart([...perHalfHour('text'), ...perHalfHour('image')], { title: 'Messages per half hour: today (until 22:00) over yesterday',
  xTitle: 'hour of day', yTitle: 'messages', width: 620, height: 260, points: true }));
'''),
(C, r'''
const stats = monitor.messageStats();
await show(vsYesterdayChart(stats, { title: 'Message statistics at 22:00: now vs the same period yesterday' }));
showTable(stats.map((s) => ({ kind: s.kind, window: s.window, now: s.now, 'same period yesterday': s.yesterday,
  ratio: s.ratio === null ? '–' : s.ratio.toFixed(2) })));
'''),
(M, r'''
"Today so far" against the same hours yesterday is within a few percent: the same curve, a different draw.
The short windows swing much more — the last minute holds only a handful to a few dozen messages (the table), so
swings of tens of percent are ordinary Poisson noise at this size (the relative noise of a count n is about 1/√n). That is how to read the deck's "vs
yesterday" windows: a 15-minute window is a usable alarm at this scale, a 1-minute one only at the deck's
millions of users.

**Images take a detour.** The long connection carries only the image's reference; the upload itself goes over
HTTP first, and its time depends on the network:
'''),
(C, r'''
const netOf = new Map(population.users.map((u) => [u.name, u.network]));
await show(cdfChart(population.stats.uploads.map((u) => ({ series: netOf.get(u.user)!, value: (u.sentUs - u.startUs) / 1e6 })),
  { title: 'Image upload time before the message goes out, by network', xTitle: 'seconds (log)', xScale: 'log', width: 560, height: 240 }));
'''),
(M, r'''
On Wi-Fi an image is on its way in a fraction of a second; on EDGE (~200 kbit/s up) a 150 KB photo takes
several seconds. Because it travels on its own connection, the text messages behind it on the long
connection do not wait for it (scenario S11 shows the head-of-line blocking when it does not).

## What a failure looks like: the logic layer restarts at 21:30

The deck splits the server so that the logic layer may restart at any time while the connection layer holds
the sockets. Here it goes down at 21:30:00 and is back 15 s later (a durable queue: nothing taken is lost).
The last hour, minute by minute:
'''),
(C, r'''
const lastHour = (m: Parameters<typeof monitor.series>[0]) => monitor.series(m).filter((p) => p.t >= failAt - 30 * MIN)
  .map((p) => ({ x: (p.t - (failAt - 30 * MIN)) / MIN, y: p.value, series: m }));
// Each chart from 0 (so a change reads at its true size), with the restart marked as a dashed red rule.
const restartMin = 30;
const withRestart = (chart: any) => {
  const { data, mark, encoding, ...frame } = chart;
  encoding.y.scale = { ...encoding.y.scale, zero: true };
  return { ...frame, layer: [{ data, mark, encoding },
    { data: { values: [{ x: restartMin, label: 'logic layer restarts' }] }, mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] },
      encoding: { x: { field: 'x', type: 'quantitative' } } },
    { data: { values: [{ x: restartMin, label: 'logic layer restarts' }] }, mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'top', color: '#c0392b', y: 0 },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } } }] };
};
for (const [m, title] of [['cmdq', 'cmdq: highest backlog in the minute'], ['htime', 'htime: replies later than 500 ms, per minute'],
  ['tot-ses', 'tot-ses: connections at the end of each minute'], ['cmd', 'cmd: requests per second']] as const) {
  await show(withRestart(lineChart(lastHour(m), { title, xTitle: 'minutes after 21:00 today', yTitle: m, width: 560, height: 150, points: true })));
}
const ses = lastHour('tot-ses');
const at = (min: number) => ses.find((p) => p.x === min)!.y;
const steps = ses.slice(1).map((p, i) => Math.abs(p.y - ses[i].y));
const acrossRestart = Math.abs(at(restartMin + 1) - at(restartMin - 1));
showMarkdown(`\`tot-ses\` goes from **${ses[0].y}** at 21:00 to **${ses[ses.length - 1].y}** at 22:00: users closing the app after ` +
  `the evening peak (the two-day chart above). Across the restart it moves from ${at(restartMin - 1)} (21:29) to ${at(restartMin + 1)} ` +
  `(21:31), a change of ${acrossRestart}; from one minute to the next it changes by up to ${Math.max(...steps)} anyway ` +
  `(median ${[...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)]}).`);
'''),
(C, r'''
const model = world.logicModel!.report();
const [restart] = world.restarts;
showTable([
  { what: 'logic layer down', value: `${((restart.up - restart.down) / 1e6).toFixed(0)} s, from ${new Date((restart.down - 24 * H) / 1000).toISOString().slice(11, 19)} today` },
  { what: 'highest cmdq of the two days', value: model.maxBacklog },
  { what: 'htime in the failure minute', value: monitor.series('htime').find((p) => p.t === failAt)!.value },
  { what: 'error (whole run)', value: monitor.totals().error },
  { what: 'requests handed back to the new process', value: model.redelivered },
  { what: 'reconnects in two days (client connects beyond app opens)',
    value: [...world.clients.values()].reduce((a, c) => a + c.stats.connects, 0) - population.stats.opens },
  { what: "Little's law, logic queue: L vs λW", value: `${model.little.L.toExponential(3)} vs ${model.little.lambdaW.toExponential(3)}` },
], { caption: 'The restart, in numbers' });
'''),
(M, r'''
On the dashboard a logic-layer restart is a **spike in `cmdq`** (requests pile up in the async queue while
nobody consumes them, then drain within milliseconds of the new process starting) and a **burst of `htime`**
(every request that waited through the restart is answered late, after the 500 ms threshold) — and *no step*
on the session rows: across the restart `tot-ses` moves no more than it does from any minute to the next,
and its slow fall over the hour is the evening decline, there before the restart too (the numbers under the
charts) — because clients stayed connected to the connection layer,
which kept answering their heartbeats (no client reconnected because of it: the reconnect count above is over
the whole two days).
`error` stays at zero: nothing was refused, only delayed. A connection-layer restart looks
the opposite way: `tot-ses` falls off a cliff and comes back as a reconnect storm (notebook 03).

Scenario S6 (`imsim sim --scenario s6-logic-restart`) runs the same failure at a higher rate and checks the
claims: no client disconnects, `cmdq` rises then drains, and the versioned protocol loses nothing — even when
the process dies right after storing a message and before acknowledging it, with a durable queue (the work is
handed to the new process) or an in-process one (the connection layer forwards again what was not answered).

## The invariants, checked every hour

`runInvariants` holds every run to the deck's arithmetic and to Little's law: at every minute of the history
`tot-ses` = Σ phases = Σ platforms, no count below zero, `cmdq` ≥ 0; the time-average of the `cmdq` samples
the monitor was fed equals the logic queue's arrival rate times its mean wait (Little's law, L = λW, within
end effects: a feed that reports a wrong depth or misses a change breaks it); the messages counted by the
monitor equal the messages stored by every logic-layer process, the one that died at 21:30 included. At rest
(traffic stopped, everything answered) `cmdq` must be back to 0.
'''),
(C, r'''
world.runFor(3 * H); // three more hours, into the night
const atNight = runInvariants(world, monitor);
showMarkdown(`Hourly checks during the two days: **${run.checks}**, violations **${run.violations.length}**; ` +
  `again 3 h later (01:00): **${atNight.length}** violations. Per command, the logic layer's measured service times (ms): ` +
  Object.entries(model.perCommand).map(([k, v]) => `${k} ${v.meanServiceMs.toFixed(2)} (${v.n})`).join(', ') + '.');
'''),
]
nb(cells, os.path.join(os.path.dirname(__file__), '..', '06-monitoring.ipynb'))
