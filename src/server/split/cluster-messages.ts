// What the layers of a split deployment say to each other through Redis, as JSON: the Up and Down
// messages of src/connection/layer-messages.ts, with the reply values (classes such as ReplyError,
// SimpleString, RespMap) tagged so they come back as the same classes. A connection process
// encodes the reply as RESP2 or RESP3 per connection, so the logic layer sends values, not bytes.
import type { Down, Up } from '../../connection/layer-messages';
import { Push, ReplyError, RespMap, SimpleString, type Reply } from '../../wire';

/**
 * An element of a connection process's List: a message for the gateway, "close that connection", or
 * (queue protocol) "new messages for this connection's user: send a pull up" (see PULL_CMD).
 */
export type DownEnvelope = { d: Down } | { drop: number } | { pull: number; user: string };

/**
 * Queue protocol, split deployment: the request a connection process sends up, in order with the
 * connection's other requests, when told its user has new messages. The logic process that takes it
 * pushes what is in the user's List beyond what this connection was pushed already. So the bodies
 * for one connection are pushed by one request at a time, whichever logic process stored them: none
 * twice, none before an older one. Its request number is negative: the gateway never sees its answer.
 */
export const PULL_CMD = 'imsim-pull';

type Tagged = string | number | boolean | null | Tagged[] | { e: string } | { s: string } | { p: Tagged[] } | { m: [Tagged, Tagged][] };

export function replyToJson(r: Reply): Tagged {
  if (r === null || typeof r !== 'object') return r;
  if (Array.isArray(r)) return r.map(replyToJson);
  if (r instanceof ReplyError) return { e: r.message };
  if (r instanceof SimpleString) return { s: r.value };
  if (r instanceof Push) return { p: r.items.map(replyToJson) };
  return { m: r.entries.map(([k, v]) => [replyToJson(k), replyToJson(v)]) };
}

export function replyFromJson(t: Tagged): Reply {
  if (t === null || typeof t !== 'object') return t;
  if (Array.isArray(t)) return t.map(replyFromJson);
  if ('e' in t) return new ReplyError(t.e);
  if ('s' in t) return new SimpleString(t.s);
  if ('p' in t) return new Push(t.p.map(replyFromJson));
  return new RespMap(t.m.map(([k, v]) => [replyFromJson(k), replyFromJson(v)]));
}

/** A queue entry: a batch of one connection's requests, to be handled in order. */
export const encodeUps = (batch: readonly Up[]): string => JSON.stringify(batch);

const isUp = (m: Up): boolean =>
  !!m && (m.k === 'login' || m.k === 'cmd' || m.k === 'closed') && Number.isSafeInteger(m.gw) && Number.isSafeInteger(m.conn);

export function decodeUps(s: string): Up[] | null {
  try {
    const batch = JSON.parse(s) as Up[];
    return Array.isArray(batch) && batch.length > 0 && batch.every(isUp) ? batch : null;
  } catch {
    return null;
  }
}

export function encodeDown(e: DownEnvelope): string {
  if (!('d' in e) || e.d.k !== 'reply') return JSON.stringify(e);
  return JSON.stringify({ d: { ...e.d, reply: replyToJson(e.d.reply) } });
}

export function decodeDown(s: string): DownEnvelope | null {
  try {
    const e = JSON.parse(s) as DownEnvelope;
    if ('drop' in e) return Number.isSafeInteger(e.drop) ? e : null;
    if ('pull' in e) return Number.isSafeInteger(e.pull) && typeof e.user === 'string' ? e : null;
    if (e.d.k === 'reply') return { d: { ...e.d, reply: replyFromJson(e.d.reply as unknown as Tagged) } };
    return e;
  } catch {
    return null;
  }
}
