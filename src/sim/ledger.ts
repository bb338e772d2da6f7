// The delivery ledger: a keyed multiset (user, device, message) -> times applied, plus the set of
// messages each sender got acknowledged. Delivery is judged message by message, never by totals:
// lost = acknowledged to its sender but applied on no device of the recipient; duplicated =
// applied more than once on one device; out of order = applied after a later message from the
// same sender device.
import { msgKey, type StoredMsg } from '../protocol/messages';

export interface DeliveryCounts {
  sent: number; // messages handed to a client to send
  acked: number; // acknowledged to the sender by the server (stored)
  applied: number; // applications on devices, duplicates included
  unique: number; // distinct (device, message) pairs applied
  duplicates: number; // applications beyond the first, per device
  lost: number; // acknowledged but applied nowhere
  outOfOrder: number;
  pending: number; // sent, not acknowledged, not applied (still under way)
  /** Versions the server said were gone (history trimmed): losses the client was told of. */
  reportedGone: number;
}

export interface DeliverySummary extends DeliveryCounts {
  /** Send-to-screen latency of first applications, ms (NaN when nothing was delivered). */
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
}

interface SentRecord { to: string; acked: boolean; appliedOn: number; at: number }

export interface LedgerOptions {
  /**
   * Judge only messages this ledger saw sent: a delivery of any other (an earlier run's, still in a
   * mailbox of a shared server) is counted in `ignored` and otherwise left out. For real runs; in a
   * simulated world every message is sent through its ledger.
   */
  onlySent?: boolean;
}

export class Ledger {
  /** Deliveries of messages this ledger never saw sent, left out (only with `onlySent`). */
  ignored = 0;
  private readonly sentMsgs = new Map<string, SentRecord>();
  private readonly applied = new Map<string, number>(); // `${device}\n${key}` -> count
  private readonly lastSeq = new Map<string, number>(); // `${device}\n${senderDevice}` -> highest cmid number
  /** Every application in order: what each device showed, for equivalence checks and charts. */
  readonly log: { t: number; user: string; device: string; key: string; body: string }[] = [];
  private outOfOrder = 0;
  private duplicates = 0;
  private gone = 0;
  /** Send-to-screen latency (µs) of each message's first application on each device. */
  readonly latencies: number[] = [];

  constructor(private readonly opts: LedgerOptions = {}) {}

  sent(from: string, to: string, cmid: string, at = 0): void {
    this.sentMsgs.set(msgKey(from, cmid), { to, acked: false, appliedOn: 0, at });
  }

  /** A device was told that `count` messages are gone (versioned: history trimmed while it was away). */
  reportedGone(count: number): void {
    this.gone += count;
  }

  acked(from: string, cmid: string): void {
    const r = this.sentMsgs.get(msgKey(from, cmid));
    if (r) r.acked = true;
  }

  apply(t: number, user: string, device: string, m: StoredMsg): void {
    const key = msgKey(m.from, m.cmid);
    if (this.opts.onlySent && !this.sentMsgs.has(key)) {
      this.ignored++;
      return;
    }
    const slot = `${device}\n${key}`;
    const n = (this.applied.get(slot) ?? 0) + 1;
    this.applied.set(slot, n);
    this.log.push({ t, user, device, key, body: m.body });
    if (n > 1) {
      this.duplicates++;
      return;
    }
    const r = this.sentMsgs.get(key);
    if (r) {
      r.appliedOn++;
      this.latencies.push(t - r.at);
    }
    // cmids are `<sender device>-<n>`: a smaller n after a larger one from the same device is out of order.
    const dash = m.cmid.lastIndexOf('-');
    const seq = Number(m.cmid.slice(dash + 1));
    const stream = `${device}\n${m.from}/${m.cmid.slice(0, dash)}`;
    const last = this.lastSeq.get(stream) ?? 0;
    if (seq < last) this.outOfOrder++;
    else this.lastSeq.set(stream, seq);
  }

  /** How many times `device` applied the message. */
  timesApplied(device: string, from: string, cmid: string): number {
    return this.applied.get(`${device}\n${msgKey(from, cmid)}`) ?? 0;
  }

  /** Messages applied (first time) on a user's devices, in order. */
  receivedBy(user: string): string[] {
    return this.log.filter((e) => e.user === user).map((e) => e.key);
  }

  /** The counts only: what must agree between runtimes (latencies depend on the clock). */
  counts(): DeliveryCounts {
    const { latencyP50Ms: _a, latencyP95Ms: _b, latencyP99Ms: _c, ...counts } = this.summary();
    return counts;
  }

  summary(): DeliverySummary {
    let acked = 0, lost = 0, pending = 0;
    for (const r of this.sentMsgs.values()) {
      if (r.acked) acked++;
      if (r.appliedOn === 0) {
        if (r.acked) lost++;
        else pending++;
      }
    }
    const sorted = Float64Array.from(this.latencies).sort();
    const pct = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1000 : NaN);
    return {
      sent: this.sentMsgs.size, acked, applied: this.log.length, unique: this.applied.size,
      duplicates: this.duplicates, lost, outOfOrder: this.outOfOrder, pending, reportedGone: this.gone,
      latencyP50Ms: pct(0.5), latencyP95Ms: pct(0.95), latencyP99Ms: pct(0.99),
    };
  }
}
