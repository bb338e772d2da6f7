/**
 * Scale of the connection-layer model (issue 4, item 8): a million simulated clients, each holding one
 * connection and heartbeating (fixed 270 s) on the deck's 35 connection servers, for one simulated hour.
 *
 *  - memory: heap + typed-array bytes per idle client, from heap deltas around building the layer
 *    (garbage collected before each reading), target ≤ 1 KB;
 *  - wall time for the hour, target ≤ 2 min, and events/s beside the bare kernel's hold model with 10^6
 *    pending events measured in the same run (the model's own work per event is the difference).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ConnectionLayer } from '../src/sim/connection-layer/model';
import { holdKernel } from './kernel';

const CLIENTS = 1_000_000;
const SERVERS = 35;
const HOUR = 3600;

function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function used(gc: () => void): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export async function benchConnectionLayer(): Promise<void> {
  const gc = gcFunction();
  const before = used(gc);
  const t0 = performance.now();
  const layer = new ConnectionLayer({
    clients: CLIENTS, servers: SERVERS, heartbeat: 'fixed-270s', reconnect: 'exponential', seed: 'bench', name: 'bench',
  });
  const buildS = (performance.now() - t0) / 1000;
  const after = used(gc);
  const perClient = (after.heap - before.heap) / CLIENTS;
  const rssPerClient = (after.rss - before.rss) / CLIENTS;
  console.log(`connection layer: ${CLIENTS.toLocaleString('en')} idle clients on ${SERVERS} servers built in ${buildS.toFixed(1)} s; ` +
    `heap + typed arrays ${mb(after.heap - before.heap)}, RSS +${mb(after.rss - before.rss)}`);
  console.log(`  memory per idle simulated client: ${perClient.toFixed(0)} bytes (heap + typed arrays; RSS ${rssPerClient.toFixed(0)} bytes) ` +
    `— ${perClient <= 1024 ? 'meets' : 'MISSES'} target ≤ 1024 bytes`);

  const ev0 = layer.kernel.executed;
  const w0 = performance.now();
  const stepMin = 10;
  for (let m = stepMin; m <= HOUR / 60; m += stepMin) {
    layer.runUntil(m * 60);
    const s = (performance.now() - w0) / 1000;
    console.log(`  … simulated ${m} of 60 min: ${((layer.kernel.executed - ev0) / 1e6).toFixed(1)} M events, ${s.toFixed(1)} s wall`);
  }
  const wallS = (performance.now() - w0) / 1000;
  const events = layer.kernel.executed - ev0;
  const r = layer.result();
  if (r.series.sessions.at(-1) !== CLIENTS) throw new Error(`bench: expected every client online, got ${r.series.sessions.at(-1)}`);
  const modelRate = events / wallS;
  console.log(`  1 simulated hour with heartbeats: ${wallS.toFixed(1)} s wall (${perHour(r.totals.heartbeats)} heartbeats) — ` +
    `${wallS <= 120 ? 'meets' : 'MISSES'} target ≤ 120 s; ${(HOUR / wallS).toFixed(0)}x real time`);

  // The peer: the bare kernel, hold model, 10^6 pending (the same pending-event count as here), best of 3.
  let hold = 0;
  for (let i = 0; i < 3; i++) hold = Math.max(hold, holdKernel(1e6, 1e6, 3e6));
  console.log(`  events/s: model ${(modelRate / 1e6).toFixed(2)} M vs bare kernel hold model at 10^6 pending ${(hold / 1e6).toFixed(2)} M ` +
    `(same run) = ${(modelRate / hold).toFixed(2)}x`);
}

function perHour(n: number): string {
  return `${(n / 1e6).toFixed(2)} M`;
}
