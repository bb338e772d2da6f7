// The logic layer's store port over the Redis store, for the real runtimes (one process, or a logic
// process of a split deployment). Each operation is attributed to the request that caused it
// (WorkTracker), so that a failed one becomes an error reply to that request, or closes the
// connection whose login read failed: never a silent loss, never a message acknowledged unstored.
import type { Down, Up } from '../connection/layer-messages';
import type { StoreOp, StorePort, StoreResult } from '../logic/store';
import { ReplyError } from '../wire';
import type { RedisStore } from './redis-store';
import type { WorkTracker } from './split/work-tracker';

/** Where the consequences of a failed store operation go. */
export interface StoreFailureSink {
  /** An error reply to the request that is still waiting for its answer. */
  reply(gw: number, msg: Down): void;
  /** No request waits (a login's read of the mailbox): close that connection, its client logs in again. */
  drop(gw: number, conn: number): void;
  /** No request at all is known: close the user's connections this process knows of. */
  dropUser(user: string): void;
}

export interface TrackedStorePort extends StorePort {
  /** Operations sent to Redis and not answered yet. */
  readonly backlog: number;
  /** Operations that failed so far. */
  readonly errors: number;
}

export function trackedStorePort(redis: RedisStore, work: WorkTracker<Up>, sink: StoreFailureSink): TrackedStorePort {
  let inflight = 0;
  let errors = 0;
  let lastLogged = 0;
  const failed = (origin: Up | null, op: StoreOp, err: Error) => {
    errors++;
    const now = Date.now();
    if (now - lastLogged >= 1000) {
      lastLogged = now;
      process.stderr.write(`imsim: store error (${errors} so far): ${op.op} for ${op.user}: ${err.message}\n`);
    }
    if (origin?.k === 'cmd') {
      // Each command starts one store operation and is answered only from its result: still unanswered.
      const what = op.op === 'append' ? 'message not stored, send it again' : 'try again';
      sink.reply(origin.gw, { k: 'reply', conn: origin.conn, req: origin.req, reply: new ReplyError(`ERR store unavailable (${err.message}); ${what}`) });
    } else if (origin) {
      sink.drop(origin.gw, origin.conn);
    } else {
      sink.dropUser(op.user);
    }
  };
  return {
    exec<O extends StoreOp>(op: O, done: (r: StoreResult<O>) => void): void {
      const origin = work.origin;
      const end = work.begin();
      inflight++;
      redis.run(op).then(
        (r) => {
          inflight--;
          end(() => done(r));
        },
        (err: Error) => {
          inflight--;
          end(() => failed(origin, op, err));
        },
      );
    },
    get backlog() {
      return inflight;
    },
    get errors() {
      return errors;
    },
  };
}
