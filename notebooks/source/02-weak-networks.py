# Source of notebooks/02-weak-networks.ipynb: python3 notebooks/source/02-weak-networks.py
import os, sys; sys.path.insert(0, os.path.dirname(__file__))
from mknb import nb
M, C = 'markdown', 'code'
cells = [
(M, r'''
# 02 · Weak networks: the two protocols on mobile links

The deck's case for the versioned protocol is about mobile networks: *"移动网络下，交互极其费时，服务器要维护每个
状态容易出错"* — on mobile every exchange is slow, and per-message state on the server goes wrong. This notebook
puts both protocols on simulated mobile links and measures what that means.

**The link model.** While a connection lives it is TCP: a reliable, ordered byte stream per direction.
Each write is cut into segments, serialised at the link's bandwidth (a big frame delays everything queued
behind it), carried with the one-way delay plus jitter; a lost segment is sent again after a timeout that
doubles each time, and everything behind it waits (nothing inside a live stream is ever lost). Messages are
lost only when connections die: resets, **half-open cuts** (nobody is told — the deck's "半关闭"), carrier
NAT expiry, Wi-Fi/cellular handovers, outages longer than TCP's patience.

**Profiles** (one-way delays; sources in `src/sim/network/profiles.ts`):
'''),
(C, r'''
import { PROFILES, compareProtocols, compareTable, runScenario, show, showTable, showMarkdown,
  sequenceDiagram, barChart, cdfChart, mergeWrites, World, HEARTBEAT, type WireRecord } from 'imsim';

showTable(Object.values(PROFILES).filter((p) => p.name !== 'fixed').map((p) => ({
  profile: p.name, 'down kbit/s': p.downKbps || '∞', 'up kbit/s': p.upKbps || '∞', 'delay down/up (ms)': `${p.downDelayMs} / ${p.upDelayMs}`,
  loss: p.loss, 'radio tail (s)': p.radioTailMs / 1000, source: p.source })));
'''),
(M, r'''
## The comparison

The same workload for every profile and protocol: alice, on Wi-Fi, sends bob 300 messages at random
(Poisson) times, one every 2 s on average. Bob is the mobile user. His link is reset every 2 minutes on
average, cut half-open every 5 minutes, and loses coverage for 20–60 s every 10 minutes (an elevator).
Clients heartbeat every 270 s and reconnect with exponential backoff; queue clients acknowledge every
5 messages or after 2 s. Same seed for every run, so every run sees the same cuts at the same times.
'''),
(C, r'''
const rows = compareProtocols({ messages: 300, seed: 1 });
showTable(compareTable(rows), { caption: 'Both protocols, eight profiles (seed 1)' });
'''),
(M, r'''
**Delivery.** With acknowledged delivery and retries, neither protocol *loses* anything on any profile
that can carry data at all (the blackhole delivers nothing, to either). The difference is in *how* they
deliver: the queue protocol applies some messages **twice** on every profile. Those are the messages bob
had received but not yet acknowledged when his connection died: the server still had them in its List
and sent them again. The versioned client applies a version only if it is exactly the next one, so a
re-sent message is ignored.
'''),
(C, r'''
const mobile = rows.filter((r) => r.profile !== 'blackhole');
await show(barChart(mobile.map((r) => ({ category: r.profile, group: r.protocol, value: r.metrics.delivery.duplicates })),
  { title: 'Messages applied twice on bob\'s screen', xTitle: 'link profile', yTitle: 'duplicates (of 300)', width: 520, height: 220 }));
'''),
(M, r'''
## What it costs per message

Round trips count delivery frames — pushes, `msg-recv`/`msg-sync`/`msg-fin` and their replies — halved.
The queue protocol pushes the message itself and batches acks: well under one round trip per message.
The versioned protocol pushes a notice, then pulls: more frames per message when messages come one at a
time, but one `msg-sync` fetches everything that is waiting, so on slow links (where messages pile up
during each exchange) its cost per message falls.
'''),
(C, r'''
await show(barChart(mobile.map((r) => ({ category: r.profile, group: r.protocol, value: r.metrics.roundTripsPerMessage })),
  { title: 'Round trips per delivered message', xTitle: 'link profile', yTitle: 'round trips', width: 520, height: 220 }));
await show(barChart(mobile.map((r) => ({ category: r.profile, group: r.protocol, value: r.metrics.bytesPerMessage })),
  { title: 'Bytes on the air per delivered message (TCP/IP headers included; bodies are ~40 bytes)', xTitle: 'link profile', yTitle: 'bytes', width: 520, height: 220 }));
'''),
(M, r'''
## Latency

Send-to-screen latency of every message, as a cumulative distribution. Most messages arrive within a
few round trips; the long tail is the messages that met a dead connection and waited for the client to
notice (a half-open cut is only noticed by the next unanswered heartbeat) and reconnect.
'''),
(C, r'''
const quantile = (xs: number[], q: number) => { const v = [...xs].sort((a, b) => a - b); return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : NaN; };
const latencyRows = ['3g', '2g-rural'].flatMap((profile) => rows.filter((r) => r.profile === profile).map((r) => ({
  profile, protocol: r.protocol, 'median (s)': quantile(r.latenciesMs, 0.5) / 1000, 'p95 (s)': quantile(r.latenciesMs, 0.95) / 1000,
  'p99 (s)': quantile(r.latenciesMs, 0.99) / 1000, 'max (s)': Math.max(...r.latenciesMs) / 1000 })));
for (const profile of ['3g', '2g-rural']) {
  const samples = rows.filter((r) => r.profile === profile).flatMap((r) => r.latenciesMs.map((v) => ({ series: r.protocol, value: v / 1000 })));
  await show(cdfChart(samples, { title: `Delivery latency on ${profile}`, xTitle: 'seconds from send to screen (log scale)', xScale: 'log', width: 520, height: 240 }));
}
showTable(latencyRows, { caption: 'Send-to-screen latency, seconds' });
const lat = (profile: string, protocol: string) => latencyRows.find((r) => r.profile === profile && r.protocol === protocol)!;
showMarkdown(['3g', '2g-rural'].map((p) => `- **${p}**: median ${lat(p, 'queue')['median (s)'].toFixed(2)} s (queue) vs ` +
  `${lat(p, 'versioned')['median (s)'].toFixed(2)} s (versioned); p95 ${lat(p, 'queue')['p95 (s)'].toFixed(1)} s vs ${lat(p, 'versioned')['p95 (s)'].toFixed(1)} s ` +
  `(versioned ${(lat(p, 'versioned')['p95 (s)'] - lat(p, 'queue')['p95 (s)']).toFixed(1)} s later).`).join('\n'));
'''),
(M, r'''
The versioned protocol's median is higher: its push-then-pull costs one more round trip before a message
shows, which on a 2G link with 650 ms each way is well over a second. That is the price of its guarantees.
The tails come from the same dead connections waiting to be noticed, but they are not equal: on a slow
link the versioned client, once reconnected, must still push-then-pull what piled up, and each
exchange there costs seconds, so the slower the link, the further its tail sits above the queue protocol's
(the p95 differences above).

## Radio wake-ups

A phone's radio stays in a high-power state for a tail time after each packet (≈17 s on 3G, ≈11.6 s on
LTE); a packet that finds it idle wakes it up again. Wake-ups are what heartbeats and chatty protocols cost
in battery.
'''),
(C, r'''
// Wi-Fi has no radio tail: every packet counts as a wake-up, a different scale from the cellular radios.
const cellular = mobile.filter((r) => r.profile !== 'wifi');
await show(barChart(cellular.map((r) => ({ category: r.profile, group: r.protocol, value: r.metrics.wakeupsPerHourByDevice['bob-d1'] })),
  { title: "Bob's radio wake-ups per hour (cellular profiles)", xTitle: 'link profile', yTitle: 'wake-ups / hour', width: 520, height: 220 }));
const wifi = mobile.filter((r) => r.profile === 'wifi');
showMarkdown(`Not drawn: on **wifi** (no radio tail to stay awake in) bob's radio "wakes" for every packet: ` +
  wifi.map((r) => `${Math.round(r.metrics.wakeupsPerHourByDevice['bob-d1'])} per hour (${r.protocol})`).join(', ') + '.');
'''),
(M, r'''
## One reconnect, frame by frame

Bob is on 3G receiving a burst of messages when his connection is reset. Red dashed arrows are writes
that never arrived. Watch what each protocol does after he is back.
'''),
(C, r'''
function reconnectStory(protocol: 'queue' | 'versioned'): WireRecord[] {
  const w = new World({ protocol, seed: 3, recordWire: true, client: { reconnect: { kind: 'fixed', delayUs: 500_000 }, queue: { ackEvery: 3 } } });
  w.addClient('alice', {}, { profile: 'wifi' }).start();
  w.addClient('bob', {}, { profile: '3g' }).start();
  w.runFor(2_000_000);
  for (let i = 1; i <= 5; i++) w.kernel.schedule(i * 300_000, () => void w.send('alice', 'bob', `msg ${i}`));
  w.kernel.schedule(1_560_000, () => w.link('bob').resetAll('connection reset'));
  w.runFor(7_000_000);
  const t0 = 2_000_000;
  return mergeWrites(w.wireLog().filter((r) => r.sent >= t0 && (r.from === 'bob' || r.to === 'bob')));
}
for (const p of ['queue', 'versioned'] as const) {
  // default height: ~34 px per arrow, so the versioned exchange (three writes per message) gets room for its labels
  await show(sequenceDiagram(reconnectStory(p), { lanes: ['server', 'bob'], title: `${p} protocol: reset in the middle of a burst`, width: 560 }));
}
'''),
(M, r'''
**Queue:** messages pushed before the reset that bob had applied but not yet acknowledged (he acks every
3) are still in his List. After `hello`, the server pushes the whole List again — bob applies those a
second time. Pushes that were in flight when the reset hit (red) are simply sent again.

**Versioned:** the pushes lost in the reset do not matter. After `hello`, bob asks `msg-sync <last>` with
the one number he kept, gets exactly what he lacks in order, and confirms with one `msg-fin`.

## The other weak-network scenarios

Each scenario states its outcome and checks it (`imsim sim --scenario NAME`; the tests run them all).
'''),
(C, r'''
const names = ['s2-half-open', 's3-push-during-sync', 's4-trimmed', 's9-two-devices', 's10-heartbeat-nat', 's11-voice'];
const out = [];
for (const name of names) {
  for (const protocol of ['queue', 'versioned'] as const) {
    const r = await runScenario(name, { protocol, seed: 1 });
    for (const c of r.checks) out.push({ scenario: name, protocol, '': c.ok ? '✓' : '✗', check: c.name, measured: c.detail });
  }
}
showTable(out, { caption: 'Scenario outcomes (seed 1)' });
'''),
(C, r'''
const s2 = await runScenario('s2-half-open', { protocol: 'versioned', seed: 1 });
showTable(s2.rows, { caption: 'S2 — a half-open cut while idle: how long until anyone notices' });
const s10 = await runScenario('s10-heartbeat-nat', { protocol: 'versioned', seed: 1 });
showTable(s10.rows, { caption: 'S10 — 6 idle hours behind a 5-minute carrier NAT' });
const hb = (name: string) => s10.rows.find((r) => r.heartbeat === name) as Record<string, number>;
const [fixed, mars] = [hb('fixed-270s'), hb('mars')];
showMarkdown(`Against a fixed 270 s heartbeat, which happens to sit under this NAT's 5-minute timeout, Mars has ` +
  `${mars['NAT drops']} NAT drops vs ${fixed['NAT drops']}, ${mars['radio wake-ups/h'].toFixed(1)} vs ${fixed['radio wake-ups/h'].toFixed(1)} radio wake-ups per hour, ` +
  `and settles at ${mars['final interval (min)'].toFixed(2)} min vs ${fixed['final interval (min)'].toFixed(2)}.`);
'''),
(M, r'''
- **S2:** after a half-open cut, messages wait until the client's next unanswered `PING`; the window is at
  most the heartbeat interval plus the PING timeout. The server, which cannot PING, notices much later
  (here: after 3 silent heartbeat intervals).
- **S10:** a heartbeat slower than the NAT's idle timeout loses the connection every time. When the timeout
  is known, a fixed interval just under it is best (fixed-270s above beats Mars on every column). WeChat
  Mars's adaptive heartbeat is for the case nobody knows the timeout (every carrier and Wi-Fi router has its
  own): it climbs by 60 s after 5 successes and drops 80 s after 2 failures, so it pays a couple of NAT drops
  and a few extra wake-ups to *find* an interval under the timeout, where a fixed 10-minute guess loses the
  connection all night.
- **S3** keeps a deliberately wrong client as an oracle: one that trusts a push's version during a sync
  skips messages, and the ledger catches it. **S4:** when history was trimmed the versioned server says
  `-BEHIND` and the client knows exactly which messages are gone; the queue protocol's capped List instead
  **refuses** new sends while it is full, so nothing is lost but the senders keep the messages and retry
  (`imsim sim --scenario s4-trimmed`: sends refused many times over, delivered late and out of order). **S9:** one List per user cannot serve two
  devices; one cursor per device can. **S11:** a voice message in band blocks the texts behind it for
  seconds on EDGE; over a separate connection it does not — the deck's *"核心的长连接只用于传输轻量的实时数据"*.
'''),
]
nb(cells, os.path.join(os.path.dirname(__file__), '..', '02-weak-networks.ipynb'))
