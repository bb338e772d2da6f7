// One ClientObserver that records what a client did into a ledger and a frame log; both
// runtimes use it, so their records are comparable entry by entry.
import type { ClientObserver, ClientState } from '../protocol/client';
import type { Ledger } from '../sim/ledger';

export interface FrameRecord {
  t: number;
  user: string;
  dir: 'out' | 'in';
  kind: string;
  bytes: number;
}

export interface ObserverSinks {
  ledger: Ledger;
  user: string;
  device: () => string;
  now: () => number;
  frames?: FrameRecord[];
  /** Extra hook per event, e.g. the simulator's trace. */
  event?: (kind: string, ...fields: (string | number)[]) => void;
}

export function recordingObserver(o: ObserverSinks): ClientObserver {
  const ev = o.event ?? (() => {});
  return {
    frame(dir, kind, bytes) {
      o.frames?.push({ t: o.now(), user: o.user, dir, kind, bytes });
      ev('frame', o.user, dir, kind, bytes);
    },
    applied(m) {
      o.ledger.apply(o.now(), o.user, o.device(), m);
      ev('applied', o.user, m.from, m.cmid);
    },
    acked(cmid) {
      o.ledger.acked(o.user, cmid);
      ev('acked', o.user, cmid);
    },
    gap(from, to) {
      o.ledger.reportedGone(to - from);
      ev('gap', o.user, from, to);
    },
    state(s: ClientState, why: string) {
      ev('state', o.user, s, why);
    },
  };
}

/** Counts frames by kind for one user. */
export function countFrames(frames: readonly FrameRecord[], user: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const f of frames) if (f.user === user) n.set(`${f.dir} ${f.kind}`, (n.get(`${f.dir} ${f.kind}`) ?? 0) + 1);
  return n;
}
