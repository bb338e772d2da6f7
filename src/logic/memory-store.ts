// The embedded store: Redis List semantics for the queue protocol, Sorted Set + INCR for the
// versioned protocol, kept in plain Maps. Synchronous; runtimes add their own latency.
import type { ProtocolName, StoredMsg } from '../protocol/messages';
import { bodyHash, mailboxCap, type AckResult, type AppendResult, type RangeResult, type StoreOp, type StoreResult, type SyncStore } from './store';

interface Mailbox {
  seq: number; // the per-user INCR counter
  msgs: StoredMsg[]; // ascending id: a List (queue) or a Sorted Set scored by version (versioned)
  head: number; // index of the first live entry in msgs (versioned history may be trimmed)
}

export interface MemoryStoreOptions {
  /** Versioned history kept per user (>= 1); older versions are trimmed (then a sync from before them is "too far behind"). */
  maxHistory?: number;
  /** Queue protocol: most messages a user's List holds unacknowledged (>= 1); a send beyond is refused, never trimmed. */
  maxQueued?: number;
  /** How many (from, cmid) pairs are remembered per sender to drop retried sends. */
  dedupWindow?: number;
}

export class MemoryStore implements SyncStore {
  private readonly boxes = new Map<string, Mailbox>();
  private readonly seen = new Map<string, Map<string, { id: number; hash: string }>>(); // sender -> recipient+cmid -> id, body hash
  private readonly maxHistory: number;
  private readonly maxQueued: number;
  private readonly dedupWindow: number;
  opCount = 0;

  constructor(opts: MemoryStoreOptions = {}) {
    this.maxHistory = mailboxCap('MemoryStore', 'maxHistory', opts.maxHistory);
    this.maxQueued = mailboxCap('MemoryStore', 'maxQueued', opts.maxQueued);
    this.dedupWindow = opts.dedupWindow ?? 10_000;
  }

  apply<O extends StoreOp>(op: O): StoreResult<O> {
    this.opCount++;
    switch (op.op) {
      case 'append':
        return this.append(op.mode, op.user, op.from, op.cmid, op.body) as StoreResult<O>;
      case 'range':
        return this.range(op.user, op.after, op.limit) as StoreResult<O>;
      case 'ack':
        return this.ack(op.user, op.ids) as StoreResult<O>;
    }
  }

  private box(user: string): Mailbox {
    let b = this.boxes.get(user);
    if (!b) this.boxes.set(user, (b = { seq: 0, msgs: [], head: 0 }));
    return b;
  }

  private append(mode: ProtocolName, user: string, from: string, cmid: string, body: string): AppendResult {
    let sent = this.seen.get(from);
    if (!sent) this.seen.set(from, (sent = new Map()));
    const dedupKey = `${user}\n${cmid}`;
    const prior = sent.get(dedupKey);
    const hash = bodyHash(body);
    if (prior !== undefined) return prior.hash === hash ? { id: prior.id, dup: true } : { refused: 'cmid-reused', id: prior.id };
    const b = this.box(user);
    // A queue List holds what is not acknowledged yet: trimming it would lose acknowledged sends.
    if (mode === 'queue' && b.msgs.length - b.head >= this.maxQueued) return { refused: 'full', cap: this.maxQueued };
    const id = ++b.seq;
    b.msgs.push({ id, from, cmid, body });
    sent.set(dedupKey, { id, hash });
    if (sent.size > this.dedupWindow) sent.delete(sent.keys().next().value as string);
    if (mode === 'versioned' && b.msgs.length - b.head > this.maxHistory) b.head++;
    this.compact(b);
    return { id, dup: false };
  }

  private range(user: string, after: number, limit: number): RangeResult {
    const b = this.boxes.get(user);
    if (!b) return { msgs: [], latest: 0, oldest: 0 };
    const live = b.msgs;
    let i = b.head;
    // ids ascend: binary search for the first id > after
    let lo = b.head, hi = live.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (live[mid].id > after) hi = mid;
      else lo = mid + 1;
    }
    i = lo;
    const msgs = live.slice(i, Math.min(live.length, i + limit));
    const oldest = b.head < live.length ? live[b.head].id : b.seq + 1;
    return { msgs, latest: b.seq, oldest };
  }

  private ack(user: string, ids: number[]): AckResult {
    const b = this.boxes.get(user);
    if (!b || ids.length === 0) return { removed: 0 };
    const drop = new Set(ids);
    const before = b.msgs.length - b.head;
    b.msgs = b.msgs.slice(b.head).filter((m) => !drop.has(m.id));
    b.head = 0;
    return { removed: before - b.msgs.length };
  }

  /** Drop trimmed entries from the array once they dominate it (amortised O(1)). */
  private compact(b: Mailbox): void {
    if (b.head > 1024 && b.head * 2 > b.msgs.length) {
      b.msgs = b.msgs.slice(b.head);
      b.head = 0;
    }
  }

  /** Messages waiting for `user` (queue: unacknowledged; versioned: history kept). */
  size(user: string): number {
    const b = this.boxes.get(user);
    return b ? b.msgs.length - b.head : 0;
  }
}
