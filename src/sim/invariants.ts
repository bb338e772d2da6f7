// The monitoring invariants of design.md §7 and §9, checked on a simulated run: now and at every
// minute of the history (tot-ses = Σ phases = Σ platforms, no count below zero, cmdq >= 0), cmdq back
// to 0 at rest, Little's law for the logic layer's queue, and the message statistics matching what the
// logic layer stored. An empty list means the run kept them all.
import type { MessageKind } from '../monitor/sink';
import { KINDS, PHASES, PLATFORMS, type Monitor, type Violation } from '../monitor/monitor';
import type { World } from './world';

export interface InvariantOptions {
  /** Traffic has stopped and everything was answered: the backlog must have drained. */
  atRest?: boolean;
  /** Largest |L − λW| / L accepted for the logic queue (end effects only; default 0.02). */
  littleTolerance?: number;
}

export function runInvariants(world: World, monitor: Monitor, opts: InvariantOptions = {}): Violation[] {
  monitor.advance(world.now);
  const out: Violation[] = [...monitor.violations({ atRest: opts.atRest })];
  for (let server = 0; server < monitor.serverCount; server++) {
    const tot = monitor.series('tot-ses', { server });
    const phases = PHASES.map((p) => monitor.series(p, { server }));
    const platforms = PLATFORMS.map((p) => monitor.series(p, { server }));
    const cmdq = monitor.series('cmdq', { server });
    tot.forEach((pt, i) => {
      const sp = phases.reduce((a, s) => a + s[i].value, 0);
      const sf = platforms.reduce((a, s) => a + s[i].value, 0);
      const at = `minute starting t=${pt.t}`;
      if (sp !== pt.value) out.push({ server, rule: 'tot-ses = Σ phases (history)', detail: `${at}: tot-ses ${pt.value}, phases ${sp}` });
      if (sf !== pt.value) out.push({ server, rule: 'tot-ses = Σ platforms (history)', detail: `${at}: tot-ses ${pt.value}, platforms ${sf}` });
      if (pt.value < 0) out.push({ server, rule: 'tot-ses >= 0 (history)', detail: `${at}: ${pt.value}` });
      if (cmdq[i].value < 0) out.push({ server, rule: 'cmdq >= 0 (history)', detail: `${at}: ${cmdq[i].value}` });
    });
  }
  const model = world.logicModel;
  if (model) {
    const r = model.report(); // asserts the identity itself; throws on a bookkeeping bug
    const tol = opts.littleTolerance ?? 0.02;
    if (r.little.relError > tol) {
      out.push({ server: null, rule: "Little's law (logic queue)", detail: `L = ${r.little.L}, λW = ${r.little.lambdaW}: off by ${(r.little.relError * 100).toFixed(2)}%` });
    }
    if (opts.atRest && model.backlog !== 0) out.push({ server: null, rule: 'logic queue drains at rest', detail: `backlog ${model.backlog}` });
  }
  const stored = world.messagesStored; // over every logic-layer process, restarts included
  const counted = KINDS.reduce((a, k: MessageKind) => a + monitor.messageTotal(k), 0);
  if (counted !== stored) {
    out.push({ server: null, rule: 'messages counted = messages stored', detail: `monitor ${counted}, logic layer ${stored}` });
  }
  return out;
}
