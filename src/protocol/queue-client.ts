// Queue protocol, client half: apply every message of a `msg-send` push and acknowledge the ids
// with `msg-recv`, batched by count and by a timer (ack batching trades round trips against the
// duplicates a dying connection leaves behind). No cursor: what the server resends is applied again.
import type { ClientCtx, ClientHalf } from './client-half';
import { CMD, decodeMsgSend } from './messages';

export interface QueueClientOptions {
  /** Send msg-recv once this many ids wait (1 = ack every push at once). */
  ackEvery?: number;
  /** ...or this long after the first waiting id, whichever comes first (0 = no timer). */
  ackDelayUs?: number;
}

export class QueueClient implements ClientHalf {
  private pending: number[] = [];
  private timer: number | null = null;
  private readonly ackEvery: number;
  private readonly ackDelayUs: number;
  /** Acks that were waiting when a connection died: the server will send those messages again. */
  unackedAtCuts = 0;

  constructor(opts: QueueClientOptions = {}) {
    this.ackEvery = Math.max(1, opts.ackEvery ?? 1);
    this.ackDelayUs = opts.ackDelayUs ?? 0;
  }

  onLogin(): void {}

  onPush(ctx: ClientCtx, items: readonly string[]): void {
    const msgs = decodeMsgSend(items);
    if (!msgs) return;
    for (const m of msgs) {
      ctx.apply(m);
      this.pending.push(m.id);
    }
    if (this.pending.length >= this.ackEvery) this.flush(ctx);
    else if (this.ackDelayUs > 0 && this.timer === null) {
      this.timer = ctx.setTimer(this.ackDelayUs, () => {
        this.timer = null;
        this.flush(ctx);
      });
    }
  }

  onDisconnect(): void {
    this.unackedAtCuts += this.pending.length;
    this.pending = [];
    this.timer = null; // the core clears all timers it set for this connection
  }

  private flush(ctx: ClientCtx): void {
    if (this.timer !== null) ctx.clearTimer(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const ids = this.pending;
    this.pending = [];
    ctx.request([CMD.msgRecv, ...ids.map(String)]);
  }
}
