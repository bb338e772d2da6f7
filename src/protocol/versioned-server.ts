// Versioned protocol, server half (基于版本号的消息协议). Messages live in a Sorted Set per user,
// scored by a per-user INCR version. A new message only triggers a light `msg-psh <v>`; the client
// asks `msg-sync <its last version>` and gets the following versions in order; `msg-fin v <n>`
// confirms the last one it applied. The server keeps no per-message state per connection.
import { ReplyError, SimpleString } from '../wire';
import { CMD, PUSH, behind, encodeVersionEntry, parseId, reset } from './messages';
import type { ServerHalf } from './server-half';

const OK = new SimpleString('OK');

export const versionedServer: ServerHalf = {
  onLogin() {
    // Nothing to do: the client syncs from its own cursor.
  },

  onStored(ctx, sessions, msg) {
    for (const s of sessions) ctx.push(s, [PUSH.msgPsh, String(msg.id)]);
  },

  onRetried(ctx, sessions, msg) {
    // msg-psh is idempotent (a client that has version n ignores it), so announcing again costs
    // one small frame and guarantees the recipient hears of it even if the first attempt died
    // between storing and pushing.
    versionedServer.onStored(ctx, sessions, msg);
  },

  onCommand(ctx, s, req, args) {
    if (args[0] === CMD.msgSync) {
      const after = parseId(args[1]);
      if (after === null) {
        ctx.reply(s, req, new ReplyError('ERR value is not an integer or out of range'));
        return true;
      }
      ctx.store.exec({ op: 'range', mode: 'versioned', user: s.user, after, limit: ctx.pageSize }, (r) => {
        // Ahead of the store (it was reset and counts from 0 again): say so, or every new version up to
        // the client's cursor would look already applied to it.
        if (after > r.latest) ctx.reply(s, req, reset(r.latest));
        // Too far behind (Telegram's differenceTooLong, Matrix's "limited"): say so, never skip silently.
        // An empty history with newer versions given out (oldest = latest + 1: the set was lost) is behind too.
        else if (after < r.oldest - 1) ctx.reply(s, req, behind(r.oldest - 1));
        else ctx.reply(s, req, r.msgs.map(encodeVersionEntry));
      });
      return true;
    }
    if (args[0] === CMD.msgFin) {
      const n = parseId(args[2]);
      if (args[1].toLowerCase() !== 'v' || n === null) {
        ctx.reply(s, req, new ReplyError("ERR syntax error: expected 'msg-fin v <version>'"));
        return true;
      }
      if (n > s.cursor) s.cursor = n;
      ctx.reply(s, req, OK);
      return true;
    }
    return false;
  },
};
