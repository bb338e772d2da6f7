// Terminal and JSON renderings of scenario results, shared by `imsim sim` and `imsim compare`.
import type { ScenarioResult } from '../sim/scenarios';

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

export function formatResult(r: ScenarioResult): string {
  const d = r.metrics.delivery, m = r.metrics;
  const messaging = r.metrics.delivery.sent > 0 || Object.keys(r.frames).length > 0;
  const lines = [
    `scenario ${r.scenario} · protocol ${r.protocol} · seed ${r.seed}`,
    ...(messaging ? [] : ['  (no messaging in this scenario: see its rows)']),
  ];
  if (messaging) lines.push(
    `  delivery: ${d.sent} sent, ${d.acked} stored, ${d.unique} delivered, ${d.duplicates} applied twice, ${d.lost} lost` +
      `${d.reportedGone ? ` (${d.reportedGone} reported gone)` : ''}, ${d.outOfOrder} out of order`,
    `  latency:  p50 ${f1(d.latencyP50Ms)} ms, p95 ${f1(d.latencyP95Ms)} ms, p99 ${f1(d.latencyP99Ms)} ms`,
    `  cost:     ${m.roundTripsPerMessage.toFixed(2)} round trips and ${m.bytesPerMessage.toFixed(0)} bytes per message ` +
      `(${m.payloadBytesPerMessage.toFixed(0)} payload), ${m.wakeups} radio wake-ups, ${m.heartbeatsPerHour.toFixed(1)} heartbeats/h, ${m.reconnects} reconnects`,
  );
  lines.push(
    `  run:      ${(r.virtualMs / 1000).toFixed(1)} s virtual time, ${r.events} events, fingerprint ${r.fingerprint}`,
  );
  for (const row of r.rows) lines.push(`  · ${Object.entries(row).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(2) : v}`).join('  ')}`);
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  return lines.join('\n') + '\n';
}

/** A result without its world, for JSON output. */
export function resultJson(r: ScenarioResult): Omit<ScenarioResult, 'world'> {
  const { world: _w, ...rest } = r;
  return rest;
}
