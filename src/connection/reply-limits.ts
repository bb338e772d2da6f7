// Bounds on the replies a client has not read, so that a client that sends and never reads cannot make
// the connection layer hold an ever-growing backlog -- least of all before it has logged in. As Redis:
// its client-output-buffer-limit closes a normal client whose replies pile up, and a client whose
// query buffer is not being consumed is not read further. Here, per connection and by session phase:
//   pauseBytes  while this much is unsent (the transport's send buffer plus what the gateway has not
//               handed it), no more of its requests are decoded and the transport stops reading it;
//               both resume when the transport says it drained;
//   closeBytes  beyond this the connection is cut at once, its backlog discarded (replies to requests
//               already forwarded, a single huge reply, pushes under no output-buffer policy).
// Pushes for a logged-in client are bounded first by the output buffer (output-buffer.ts) when one is set.

export interface ReplyLimit {
  pauseBytes: number;
  closeBytes: number;
}

export interface ReplyLimits {
  /** Before the connection has logged in: no pushes, only replies to what it sent. */
  login: ReplyLimit;
  /** Logged in. */
  session: ReplyLimit;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * Defaults: before login a handshake's replies (HELLO, COMMAND DOCS ~4 KB) fit many times over; after it
 * a page of history several times. Redis's pubsub clients are cut at 32 MB, replicas at 256 MB.
 */
export const DEFAULT_REPLY_LIMITS: ReplyLimits = {
  login: { pauseBytes: 16 * KiB, closeBytes: 64 * KiB },
  session: { pauseBytes: 1 * MiB, closeBytes: 8 * MiB },
};

/** Checked limits, each pause at least `minPauseBytes` (a socket's write high-water mark: its 'drain' is then sure to come). */
export function replyLimits(l: Partial<{ login: Partial<ReplyLimit>; session: Partial<ReplyLimit> }> = {}, minPauseBytes = 0): ReplyLimits {
  const one = (name: 'login' | 'session'): ReplyLimit => {
    const d = DEFAULT_REPLY_LIMITS[name];
    for (const k of ['pauseBytes', 'closeBytes'] as const) {
      const v = l[name]?.[k];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new RangeError(`reply limit ${name}.${k} must be a whole number of bytes above 0, got ${v}`);
    }
    const closeBytes = l[name]?.closeBytes ?? d.closeBytes;
    // a close point given alone below the default pause point pulls the pause point down with it
    const pauseBytes = Math.max(minPauseBytes, l[name]?.pauseBytes ?? Math.min(d.pauseBytes, closeBytes));
    if (closeBytes < pauseBytes) throw new RangeError(`reply limit ${name}.closeBytes (${closeBytes}) is below its pause point (${pauseBytes}, at least the socket's high-water mark)`);
    return { pauseBytes, closeBytes };
  };
  return { login: one('login'), session: one('session') };
}
