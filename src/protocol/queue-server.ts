// Queue protocol, server half (基于队列的消息协议). Messages wait in a Redis List per user.
// The server pushes `msg-send` with every message not yet in flight on a connection and keeps,
// per connection, which ids it sent; the client acknowledges with `msg-recv <id>...` and only
// then are they deleted. A connection that dies with unacknowledged messages gets them again
// on the next login: the duplicates the deck (and XEP-0198) warn about.
import { ReplyError } from '../wire';
import { CMD, encodeMsgSend, parseId, type StoredMsg } from './messages';
import type { ServerCtx, ServerHalf, Session } from './server-half';

function pushNew(ctx: ServerCtx, s: Session, msgs: readonly StoredMsg[]): void {
  const fresh = msgs.filter((m) => !s.inflight.has(m.id));
  for (let i = 0; i < fresh.length; i += ctx.pageSize) {
    const page = fresh.slice(i, i + ctx.pageSize);
    for (const m of page) s.inflight.add(m.id);
    ctx.push(s, encodeMsgSend(page));
  }
}

export const queueServer: ServerHalf = {
  onLogin(ctx, s) {
    s.loading = true;
    // Everything still in the List is unacknowledged: send it all, oldest first.
    ctx.store.exec({ op: 'range', mode: 'queue', user: s.user, after: 0, limit: Number.MAX_SAFE_INTEGER }, (r) => {
      if (!ctx.alive(s)) return;
      s.loading = false;
      pushNew(ctx, s, r.msgs);
    });
  },

  onStored(ctx, sessions, msg) {
    for (const s of sessions) if (!s.loading) pushNew(ctx, s, [msg]);
    // A loading session reads the List after this message was stored? Not necessarily: the
    // read may have been issued first. Re-read once it finishes, so nothing waits forever.
    for (const s of sessions) {
      if (!s.loading) continue;
      ctx.store.exec({ op: 'range', mode: 'queue', user: s.user, after: msg.id - 1, limit: 1 }, (r) => {
        if (ctx.alive(s)) pushNew(ctx, s, r.msgs);
      });
    }
  },

  onRetried() {
    // Not pushed again: the message is in the List until acknowledged and every login re-sends the
    // List, so it is not lost; pushing it again could only add duplicates to a queue client, which
    // has no cursor to recognise them.
  },

  onCommand(ctx, s, req, args) {
    if (args[0] !== CMD.msgRecv) return false;
    const ids: number[] = [];
    for (const a of args.slice(1)) {
      const id = parseId(a);
      if (id === null) {
        ctx.reply(s, req, new ReplyError('ERR value is not an integer or out of range'));
        return true;
      }
      ids.push(id);
    }
    for (const id of ids) s.inflight.delete(id);
    ctx.store.exec({ op: 'ack', mode: 'queue', user: s.user, ids }, (r) => ctx.reply(s, req, r.removed));
    return true;
  },
};
