// Terminal and JSON renderings of scenario results (`imsim sim`).
import type { ScenarioResult, ScenarioRun } from '../sim/scenarios';

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** Delivery, latency and cost of one run, one line each (none when the run sent no messages). */
function runLines(run: ScenarioRun, indent: string): string[] {
  const m = run.metrics, d = m.delivery;
  if (d.sent === 0 && Object.keys(run.frames).length === 0) return [`${indent}(no messaging in this run: see the rows)`];
  return [
    `${indent}delivery: ${d.sent} sent, ${d.acked} stored, ${d.unique} delivered, ${d.duplicates} applied twice, ${d.lost} lost` +
      `${d.reportedGone ? ` (${d.reportedGone} reported gone)` : ''}, ${d.outOfOrder} out of order`,
    `${indent}latency:  p50 ${f1(d.latencyP50Ms)} ms, p95 ${f1(d.latencyP95Ms)} ms, p99 ${f1(d.latencyP99Ms)} ms`,
    `${indent}cost:     ${m.roundTripsPerMessage.toFixed(2)} round trips and ${m.bytesPerMessage.toFixed(0)} bytes per message ` +
      `(${m.payloadBytesPerMessage.toFixed(0)} payload), ${m.wakeups} radio wake-ups, ${m.heartbeatsPerHour.toFixed(1)} heartbeats/h, ${m.reconnects} reconnects`,
  ];
}

export function formatResult(r: ScenarioResult): string {
  const lines = [`scenario ${r.scenario} · protocol ${r.protocol} · seed ${r.seed}${r.runs.length > 1 ? ` · ${r.runs.length} runs` : ''}`];
  if (r.runs.length === 1) {
    lines.push(...runLines(r.runs[0], '  '));
    lines.push(`  run:      ${(r.virtualMs / 1000).toFixed(1)} s virtual time, ${r.events} events, fingerprint ${r.fingerprint}`);
  } else {
    for (const run of r.runs) {
      lines.push(`  [${run.label}] ${(run.virtualMs / 1000).toFixed(1)} s virtual time, ${run.events} events, fingerprint ${run.fingerprint}`);
      lines.push(...runLines(run, '    '));
    }
    lines.push(`  all runs: ${(r.virtualMs / 1000).toFixed(1)} s virtual time, ${r.events} events, fingerprint ${r.fingerprint} (over the ${r.runs.length} runs in this order)`);
  }
  for (const row of r.rows) lines.push(`  · ${Object.entries(row).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(2) : v}`).join('  ')}`);
  for (const c of r.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  return lines.join('\n') + '\n';
}

/** A result without its worlds, for JSON output: every run with its label, metrics, frames and fingerprint. */
export function resultJson(r: ScenarioResult): Omit<ScenarioResult, 'runs'> & { runs: Omit<ScenarioRun, 'world'>[] } {
  return { ...r, runs: r.runs.map(({ world: _w, ...run }) => run) };
}
