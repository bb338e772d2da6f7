// A log of what crossed each simulated link, one record per write, with a short human label of
// the RESP frames inside: what the notebooks draw as message sequence charts.
import {
  NEED_MORE, Push, ReplyDecoder, ReplyError, RequestDecoder, RespMap, SimpleString, type Reply,
} from '../wire';

export interface WireRecord {
  sent: number; // µs
  received: number; // µs (for lost bytes: when they would have arrived)
  from: string;
  to: string;
  label: string;
  bytes: number;
  lost: boolean;
}

const short = (s: string, max = 24): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Labels a client->server chunk: its commands, space separated, long arguments shortened. */
export function describeRequests(bytes: Uint8Array): string {
  const d = new RequestDecoder({ preAuthMaxArgs: 1 << 20, preAuthMaxBulkBytes: 1 << 30 });
  d.push(bytes);
  const out: string[] = [];
  for (let a = d.next(); a !== null; a = d.next()) out.push(describeRequest(a));
  return out.join(' · ');
}

/** One command, compactly: message bodies quoted and shortened, login tokens hidden. */
export function describeRequest(a: readonly string[]): string {
  const name = a[0].toLowerCase();
  if (name === 'send' && a.length === 4) return `send ${a[1]} "${short(a[3], 14)}"`;
  if (name === 'auth' || name === 'hello') return a.map((x, i) => (i > 0 && /^[0-9a-f]{32}$/.test(x) ? '…' : x)).join(' ');
  return a.map((x) => short(x, 16)).join(' ');
}

/** Labels a server->client chunk: pushes as `>kind args`, replies compactly. */
export function describeReplies(bytes: Uint8Array): string {
  const d = new ReplyDecoder();
  d.push(bytes);
  const out: string[] = [];
  for (let r = d.next(); r !== NEED_MORE; r = d.next()) out.push(describeReply(r));
  return out.join(' · ');
}

export function describeReply(r: Reply): string {
  if (r instanceof Push) {
    // msg-send carries 4 fields per message: show just the ids
    if (r.items[0] === 'msg-send') return `>msg-send ${r.items.filter((_, i) => i % 4 === 1).join(' ')}`;
    return `>${r.items.map((x) => short(String(x), 12)).join(' ')}`;
  }
  if (r instanceof ReplyError) return `-${short(r.message, 40)}`;
  if (r instanceof SimpleString) return `+${r.value}`;
  if (r instanceof RespMap) return '%hello';
  if (Array.isArray(r)) {
    if (r.length && Array.isArray(r[0]) && r[0][0] === 'msg') {
      const v = r.map((e) => (e as Reply[])[2]);
      return v.length === 1 ? `msg v ${v[0]}` : `msg v ${v[0]} … msg v ${v[v.length - 1]}`;
    }
    return `[${r.length}]`;
  }
  if (r === null) return 'nil';
  if (typeof r === 'number') return `:${r}`;
  return short(String(r));
}

/** Joins writes on the same link and direction that left within `withinUs` of each other (TCP
 *  would often carry them in one segment), so a chart shows one arrow with both labels. */
export function mergeWrites(records: readonly WireRecord[], withinUs = 2_000): WireRecord[] {
  const out: WireRecord[] = [];
  for (const r of records) {
    const prev = [...out].reverse().find((p) => p.from === r.from && p.to === r.to);
    if (prev && r.sent - prev.sent <= withinUs && prev.lost === r.lost) {
      prev.label = `${prev.label} · ${r.label}`;
      prev.received = Math.max(prev.received, r.received);
      prev.bytes += r.bytes;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}
