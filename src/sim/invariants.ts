// The monitoring invariants of design.md §7 and §9, checked on a simulated run: now and at every
// minute of the history (tot-ses = Σ phases = Σ platforms, no count below zero, cmdq >= 0), cmdq back
// to 0 at rest, Little's law for the logic layer's queue, and the message statistics matching what every
// logic-layer process stored. An empty list means the run kept them all.
//
// Little's law is checked on what the monitoring was fed, not on the model's own bookkeeping (which
// LogicModel.report() asserts itself): the time-average of the sampled cmdq (L) against the model's
// arrival rate times mean wait (λW). A feed that reports a wrong depth, or misses changes, breaks it.
import type { MessageKind, MonitorSink } from '../monitor/sink';
import { KINDS, PHASES, PLATFORMS, type Monitor, type Violation } from '../monitor/monitor';
import type { World } from './world';

/**
 * Time integral of the cmdq samples a runtime reports (server 0: the World has one connection layer):
 * the depth holds from one sample to the next, 0 before the first. A MonitorSink that keeps only this.
 */
export class CmdqSamples implements MonitorSink {
  private area = 0;
  private lastT = 0;
  private depth = 0;
  /** Samples taken. */
  count = 0;

  cmdq(t: number, server: number, depth: number): void {
    if (server !== 0) return;
    this.area += this.depth * (t - this.lastT);
    this.lastT = t;
    this.depth = depth;
    this.count++;
  }

  /** The time-averaged depth over [0, now]. */
  average(now: number): number {
    return now > 0 ? (this.area + this.depth * (now - this.lastT)) / now : 0;
  }

  cmd(): void {}
  htime(): void {}
  error(): void {}
  session(): void {}
  message(): void {}
}

export interface InvariantOptions {
  /** Traffic has stopped and everything was answered: the backlog must have drained. */
  atRest?: boolean;
  /**
   * Largest |L − λW| / λW accepted for the logic queue, L the time-averaged sampled cmdq. cmdq is sampled
   * at every change of the backlog, so the only slack needed is for end effects (requests still open count
   * in L and not yet in W): default 1e-6 at rest (every request has left: L = λW exactly), else 0.02.
   */
  littleTolerance?: number;
  /** The cmdq samples to hold to Little's law (default: what the World fed its monitor, world.cmdqSamples). */
  cmdqSamples?: CmdqSamples;
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
    const r = model.report(); // asserts the model's own identity (area = Σ waits); throws on a bookkeeping bug
    const tol = opts.littleTolerance ?? (opts.atRest ? 1e-6 : 0.02);
    const samples = opts.cmdqSamples ?? world.cmdqSamples;
    const L = samples ? samples.average(world.now) : NaN;
    const { lambdaW } = r.little;
    const off = lambdaW > 0 ? Math.abs(L - lambdaW) / lambdaW : L === 0 ? 0 : Infinity;
    if (!samples || samples.count === 0 ? lambdaW > 0 : off > tol) {
      out.push({
        server: null, rule: "Little's law (sampled cmdq vs λW)",
        detail: samples && samples.count > 0
          ? `time-averaged cmdq L = ${L}, λW = ${lambdaW}: off by ${(off * 100).toFixed(2)}%`
          : `λW = ${lambdaW} but cmdq was never sampled`,
      });
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
