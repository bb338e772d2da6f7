// Versioned protocol, client half. The device keeps one number, the last version it applied.
// On `msg-psh v` (v newer than that) it asks `msg-sync <last>`; it applies an entry only when it
// is exactly last+1, ignores older ones (already applied), and on a gap stops and syncs again
// (the same gap twice is reported as gone and passed).
// After a page it confirms with `msg-fin v <last>`. A push that arrives during a sync is not
// lost: it sets `again`, and one more sync follows.
import type { Reply } from '../wire';
import type { ClientCtx, ClientHalf } from './client-half';
import { CMD, PUSH, decodeVersionEntry, parseBehind, parseId, parseReset } from './messages';

export interface VersionedClientOptions {
  /** Must match the server's page size: a full page means "there may be more". */
  pageSize?: number;
  /**
   * A deliberately WRONG client, kept as a regression oracle (scenario S3): a push that arrives
   * during a sync moves the cursor to the pushed version once the sync ends, as if that sync had
   * covered it. Messages stored after the server read the page are then skipped.
   */
  naiveCursorOnPush?: boolean;
  /**
   * Periodic sync: once a sync completed, sync again after this long without another one (µs).
   * A msg-psh can be lost on the way (a slow consumer's output buffer drops it, S7); without this,
   * what it announced waits for the next push or login. 0 = off, the default: every idle client
   * would then send one request per interval (a million clients at 60 s: ~17 000 msg-sync/s on the
   * logic layer for nothing), and the deck's push already covers every push that arrives.
   */
  syncIdleUs?: number;
}

export class VersionedClient implements ClientHalf {
  /** Last version applied: per device, survives reconnects. */
  cursor = 0;
  private syncing = false;
  private again = false;
  private readonly pageSize: number;
  private readonly naive: boolean;
  private pushedDuringSync = 0; // naive client only
  ignored = 0;
  gaps = 0;
  private gapAt = -1; // cursor at the last gap: a second gap there means history is gone
  private readonly syncIdleUs: number;
  private idle: { ctx: ClientCtx; timer: number } | null = null; // the periodic sync's armed timer

  constructor(opts: VersionedClientOptions = {}) {
    this.pageSize = opts.pageSize ?? 100;
    this.naive = opts.naiveCursorOnPush ?? false;
    this.syncIdleUs = opts.syncIdleUs ?? 0;
    if (!Number.isSafeInteger(this.syncIdleUs) || this.syncIdleUs < 0) {
      throw new RangeError(`VersionedClient: syncIdleUs must be a whole number of microseconds >= 0 (0 = off), got ${opts.syncIdleUs}`);
    }
  }

  onLogin(ctx: ClientCtx): void {
    this.sync(ctx);
  }

  onPush(ctx: ClientCtx, items: readonly string[]): void {
    if (items[0] !== PUSH.msgPsh) return;
    const v = parseId(items[1] ?? '');
    if (v !== null && v <= this.cursor) return; // already have it
    if (this.syncing && this.naive && v !== null) this.pushedDuringSync = Math.max(this.pushedDuringSync, v);
    else if (this.syncing) this.again = true;
    else this.sync(ctx);
  }

  onDisconnect(): void {
    this.syncing = false;
    this.again = false;
    this.disarm();
  }

  private sync(ctx: ClientCtx): void {
    this.disarm();
    this.syncing = true;
    ctx.request([CMD.msgSync, String(this.cursor)], (r) => this.onSyncReply(ctx, r));
  }

  private onSyncReply(ctx: ClientCtx, r: Reply): void {
    this.syncing = false;
    const gone = parseBehind(r);
    if (gone !== null && gone > this.cursor) {
      // History was trimmed while we were away: report the hole, then continue after it.
      ctx.gap(this.cursor, gone);
      this.cursor = gone;
      this.sync(ctx);
      return;
    }
    const latest = parseReset(r);
    if (latest !== null) {
      // The server's store was reset: versions (latest, cursor] will never come from it, and the
      // versions it gives out next reuse those numbers. Report the hole, move back, sync once more
      // (a push for a reused number may have been ignored meanwhile).
      if (latest < this.cursor) {
        ctx.gap(latest, this.cursor);
        this.cursor = latest;
        this.sync(ctx);
      } else this.arm(ctx);
      return;
    }
    const entries = Array.isArray(r) ? r : [];
    const before = this.cursor;
    let stuck = false;
    for (const e of entries) {
      const m = decodeVersionEntry(e);
      if (!m) continue;
      if (m.id <= this.cursor) {
        this.ignored++;
        continue;
      }
      if (m.id !== this.cursor + 1) {
        // A hole: never skip it silently. The first time, stop and ask again from the cursor once.
        // The same hole twice means the server no longer has those versions: report them and go on
        // after them (stopping there would stall every later sync at the same hole).
        this.gaps++;
        if (this.gapAt !== this.cursor) {
          this.gapAt = this.cursor;
          stuck = true;
          break;
        }
        ctx.gap(this.cursor, m.id - 1);
        this.cursor = m.id - 1;
      }
      ctx.apply(m);
      this.cursor = m.id;
    }
    if (this.naive && this.pushedDuringSync > this.cursor) this.cursor = this.pushedDuringSync; // the bug
    this.pushedDuringSync = 0;
    if (this.cursor > before) ctx.request([CMD.msgFin, 'v', String(this.cursor)]);
    // One more sync: after a first hole (once), after a push during this one, or after a full page
    // (there may be more). A full page re-syncs only when it moved the cursor, so nothing loops.
    if (stuck || this.again || (entries.length >= this.pageSize && this.cursor > before)) {
      this.again = false;
      this.sync(ctx);
    } else this.arm(ctx);
  }

  /** A sync completed with nothing more to ask: the periodic sync follows after syncIdleUs. */
  private arm(ctx: ClientCtx): void {
    if (this.syncIdleUs === 0) return;
    this.disarm();
    const timer = ctx.setTimer(this.syncIdleUs, () => {
      this.idle = null;
      if (!this.syncing) this.sync(ctx);
    });
    this.idle = { ctx, timer };
  }

  private disarm(): void {
    if (this.idle) this.idle.ctx.clearTimer(this.idle.timer);
    this.idle = null;
  }
}
