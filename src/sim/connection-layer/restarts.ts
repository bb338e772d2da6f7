// Restarts of connection servers (RestartPlan): 'hard' cuts every connection of the servers at once and
// keeps them down a while; 'drain' stops them accepting and closes their connections spread over a window,
// then restarts them; 'rolling' hard-restarts a batch at a time, waiting for the layer to be back to a
// fraction of its sessions; 'night' runs any of them at the next trough of the diurnal curve.
//
// The controller works on the layer's own rows (typed arrays shared with model.ts, not copies) and calls
// back into the layer for what moves a client (release, refuse, retry); it keeps one RestartRecord per
// restart and answers for them (how many came back, when 99% had).
import type { Kernel } from '../kernel';
import type { Rng } from '../rng';
import type { DiurnalCurve } from '../workload/diurnal';
import { nextTimeOfDay } from '../workload/diurnal';
import {
  DOWN, DRAINING, END_CLOSE, LOGIN, ONLINE, QUEUED, RESTART_POLICIES, UP, US, WAIT,
  type LayerTotals, type RestartMethod, type RestartPlan, type RestartRecord,
} from './types';

/** What of the layer a restart touches: its rows (shared arrays) and the moves of a client. */
export interface RestartHost {
  readonly kernel: Kernel;
  readonly name: string;
  readonly nClients: number;
  readonly nServers: number;
  readonly rng: Rng;
  readonly curve: DiurnalCurve | null;
  readonly startClockUs: number;
  readonly totals: LayerTotals;
  // per client
  readonly state: Uint8Array;
  readonly attempt: Uint8Array;
  readonly endKind: Uint8Array;
  readonly cutOf: Uint8Array;
  readonly server: Int32Array;
  readonly rttUs: Uint32Array;
  readonly ticket: Uint32Array;
  readonly timer: Float64Array;
  readonly endAt: Float64Array;
  readonly handlers: (() => void)[];
  // per server
  readonly srvState: Uint8Array;
  readonly nextFree: Float64Array;
  readonly qClient: Int32Array[];
  readonly qTicket: Uint32Array[];
  readonly qHead: Int32Array;
  readonly qLen: Int32Array;
  readonly acceptTimer: Float64Array;
  readonly acceptBusy: Uint8Array;
  /** Logged-in sessions now. */
  sessions(): number;
  /** `n` connections left the backlogs at once. */
  backlogDropped(n: number): void;
  /** Takes connection i off its server's books (LOGIN or ONLINE). */
  release(i: number): void;
  /** Refuses client i's connection: it notices after `noticeUs` and retries. */
  refuse(i: number, noticeUs: number): void;
  /** Client i's next attempt after `extraUs` plus its reconnect delay. */
  retry(i: number, extraUs: number): void;
}

export class RestartController {
  /** One per restart begun, in order; a client's cutOf is an index + 1 into it. */
  readonly records: RestartRecord[] = [];

  constructor(private readonly L: RestartHost) {}

  /** Checks a plan and schedules it (for 'night': at the next trough from `at`). */
  plan(p: RestartPlan): void {
    const L = this.L;
    if (!(RESTART_POLICIES as readonly string[]).includes(p.policy)) {
      throw new RangeError(`restart policy must be one of ${RESTART_POLICIES.join(', ')}, got '${p.policy}'`);
    }
    if (!(p.at >= 0)) throw new RangeError(`restart at must be >= 0 seconds, got ${p.at}`);
    const servers = p.servers ?? Array.from({ length: L.nServers }, (_, s) => s);
    for (const s of servers) if (!(Number.isInteger(s) && s >= 0 && s < L.nServers)) throw new RangeError(`restart: no server ${s}`);
    let at = p.at;
    const method: RestartMethod = p.policy === 'night' ? (p.method ?? 'hard') : p.policy;
    if (p.policy === 'night') {
      if (!L.curve) throw new RangeError("restart policy 'night' needs a diurnal curve (options.diurnal)");
      at = nextTimeOfDay(p.at * US, L.startClockUs, L.curve.troughUs) / US;
    }
    const k = L.kernel;
    k.at(Math.max(k.now, Math.round(at * US)), () => this.begin(p, method, servers));
  }

  /** A client cut by restart `r` (its cutOf) logged in again on a server that is up. */
  cameBack(r: number): void {
    this.records[r - 1].back++;
    this.checkBack(this.records[r - 1]);
  }

  /** A client cut by restart `r` left (its user went offline) before logging in again. */
  userLeft(r: number): void {
    this.records[r - 1].left++;
    this.checkBack(this.records[r - 1]);
  }

  /** Once a second: the lowest sessions of every restart still in progress. */
  noteMins(): void {
    for (const r of this.records) if (r.end === null || r.reconnected99 === null) this.noteMin(r);
  }

  private now(): number {
    return this.L.kernel.now / US;
  }

  private begin(p: RestartPlan, method: RestartMethod, servers: number[]): void {
    const L = this.L;
    if (this.records.length >= 255) throw new RangeError('connection layer: at most 255 restarts per run');
    const sessions = L.sessions();
    const rec: RestartRecord = {
      policy: p.policy, method, servers, start: this.now(), end: null, sessionsBefore: sessions, minSessions: sessions,
      cut: 0, back: 0, left: 0, reconnected99: null,
    };
    this.records.push(rec);
    const id = this.records.length;
    L.kernel.trace.record(L.kernel.now, 'cl-restart', L.name, p.policy, method, servers.length);
    const downtimeUs = (p.downtime ?? 5) * US;
    const batch = Math.max(1, p.batch ?? 1);
    const k = L.kernel;
    if (method === 'hard') {
      for (const s of servers) this.cut(s, id, p.noticeWithin ?? 0);
      this.upAfter(servers, downtimeUs, rec, true, () => undefined);
      return;
    }
    const batches: number[][] = [];
    for (let b = 0; b < servers.length; b += batch) batches.push(servers.slice(b, b + batch));
    const windowUs = Math.round((p.window ?? 60) * US);
    const backFraction = p.backFraction ?? 0.99;
    const maxWaitUs = (p.maxWait ?? 600) * US;
    const next = (b: number): void => {
      if (b >= batches.length) return;
      const group = batches[b];
      if (method === 'drain') {
        for (const s of group) this.drain(s, id, windowUs);
        k.schedule(windowUs, () => {
          for (const s of group) this.cut(s, id, 0); // anything left (logins that raced the drain)
          this.upAfter(group, downtimeUs, rec, b === batches.length - 1, () => next(b + 1));
        });
        return;
      }
      // rolling: cut one batch, wait for it to come back up and the layer to recover, then the next.
      const before = L.sessions();
      for (const s of group) this.cut(s, id, p.noticeWithin ?? 0);
      this.upAfter(group, downtimeUs, rec, b === batches.length - 1, () => {
        const waitStart = k.now;
        const poll = (): void => {
          if (L.sessions() >= backFraction * before || k.now - waitStart >= maxWaitUs) next(b + 1);
          else k.schedule(US, poll);
        };
        poll();
      });
    };
    next(0);
  }

  /** Brings servers up after downtime; `last`: the plan's last batch, its end is the plan's end. */
  private upAfter(servers: number[], downtimeUs: number, rec: RestartRecord, last: boolean, then: () => void): void {
    if (downtimeUs === Infinity) return;
    const L = this.L;
    L.kernel.schedule(Math.round(downtimeUs), () => {
      for (const s of servers) {
        L.srvState[s] = UP;
        L.nextFree[s] = L.kernel.now;
      }
      if (last) {
        rec.end = this.now();
        this.checkBack(rec);
      }
      then();
    });
  }

  /** Stops server s (process exit): the backlog is reset, every connection cut; clients notice and reconnect. */
  private cut(s: number, id: number, noticeWithinS: number): void {
    const L = this.L;
    const k = L.kernel;
    const rec = this.records[id - 1];
    L.srvState[s] = DOWN;
    this.clearBacklog(s);
    const spread = noticeWithinS * US;
    for (let i = 0; i < L.nClients; i++) {
      if (L.server[i] !== s) continue;
      const st = L.state[i];
      if (st !== LOGIN && st !== ONLINE) continue;
      k.cancel(L.timer[i]);
      L.release(i);
      L.totals.cut++;
      rec.cut++;
      if (!L.cutOf[i]) L.cutOf[i] = id;
      L.state[i] = WAIT;
      L.attempt[i] = 0;
      L.retry(i, (L.rttUs[i] >>> 1) + (spread > 0 ? Math.floor(L.rng.next() * spread) : 0));
    }
    this.noteMin(rec);
  }

  /** Server s stops accepting; its connections close spread uniformly over the window. */
  private drain(s: number, id: number, windowUs: number): void {
    const L = this.L;
    const k = L.kernel;
    const rec = this.records[id - 1];
    L.srvState[s] = DRAINING;
    this.clearBacklog(s);
    for (let i = 0; i < L.nClients; i++) {
      if (L.server[i] !== s) continue;
      const st = L.state[i];
      if (st !== LOGIN && st !== ONLINE) continue;
      const closeAt = k.now + Math.floor(L.rng.next() * windowUs);
      rec.cut++;
      L.totals.cut++;
      if (!L.cutOf[i]) L.cutOf[i] = id;
      if (closeAt >= L.endAt[i]) continue; // it ends by itself first
      L.endAt[i] = closeAt;
      L.endKind[i] = END_CLOSE;
      if (st === ONLINE) {
        k.cancel(L.timer[i]);
        L.timer[i] = k.at(closeAt, L.handlers[i]);
      }
    }
  }

  /** Refuses every live connection in server s's backlog and empties it; stops its accept loop. */
  private clearBacklog(s: number): void {
    const L = this.L;
    const q = L.qClient[s];
    for (let j = 0; j < L.qLen[s]; j++) {
      const i = q[(L.qHead[s] + j) % q.length];
      if (L.state[i] === QUEUED && L.server[i] === s && L.qTicket[s][(L.qHead[s] + j) % q.length] === L.ticket[i]) {
        L.kernel.cancel(L.timer[i]);
        L.refuse(i, L.rttUs[i] >>> 1);
      }
    }
    L.backlogDropped(L.qLen[s]);
    L.qLen[s] = 0;
    L.qHead[s] = 0;
    if (L.acceptBusy[s]) {
      L.kernel.cancel(L.acceptTimer[s]);
      L.acceptBusy[s] = 0;
    }
  }

  private checkBack(rec: RestartRecord): void {
    // Only once the operation is over (its last server back up): a drain or a rolling restart cuts more later.
    if (rec.end !== null && rec.reconnected99 === null && rec.back >= 0.99 * (rec.cut - rec.left)) rec.reconnected99 = this.now() - rec.start;
  }

  private noteMin(rec: RestartRecord): void {
    const sessions = this.L.sessions();
    if (sessions < rec.minSessions) rec.minSessions = sessions;
  }
}
