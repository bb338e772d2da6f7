// The vocabulary of imsim's protocol on top of RESP: command names, push names and the
// shape of a message on the wire. docs/protocol.md is the prose version of this file.
import { ReplyError } from '../wire';

export type ProtocolName = 'queue' | 'versioned';
export const PROTOCOLS: readonly ProtocolName[] = ['queue', 'versioned'];

/** Client -> server commands of the IM protocol (case-insensitive on the wire, lower case here). */
export const CMD = {
  auth: 'auth',
  hello: 'hello',
  ping: 'ping',
  quit: 'quit',
  send: 'send', // send <to> <cmid> <body>                  -> +OK once stored
  msgRecv: 'msg-recv', // queue:     msg-recv <id> [<id> ...]   -> :<removed>
  msgSync: 'msg-sync', // versioned: msg-sync <v>               -> *N of msg entries after v
  msgFin: 'msg-fin', // versioned: msg-fin v <n>              -> +OK
} as const;

/** Server -> client pushes (RESP3 '>' frames). */
export const PUSH = {
  msgSend: 'msg-send', // queue:     msg-send <id> <from> <cmid> <body> [<id> <from> <cmid> <body> ...]
  msgPsh: 'msg-psh', // versioned: msg-psh <latest-version>
} as const;

/** A stored message. `id` is the per-recipient sequence (queue) or version (versioned). */
export interface StoredMsg {
  id: number;
  from: string;
  cmid: string; // the sender's client message id: retried sends are stored once
  body: string;
}

/** The globally unique identity of a message, the same in both protocols: sender + client message id. */
export const msgKey = (from: string, cmid: string): string => `${from}/${cmid}`;

/** Queue protocol: the fields of msg-send, four per message. */
export function encodeMsgSend(msgs: readonly StoredMsg[]): string[] {
  const out: string[] = [PUSH.msgSend];
  for (const m of msgs) out.push(String(m.id), m.from, m.cmid, m.body);
  return out;
}

export function decodeMsgSend(items: readonly string[]): StoredMsg[] | null {
  if (items[0] !== PUSH.msgSend || (items.length - 1) % 4 !== 0) return null;
  const msgs: StoredMsg[] = [];
  for (let i = 1; i < items.length; i += 4) {
    const id = Number(items[i]);
    if (!Number.isSafeInteger(id)) return null;
    msgs.push({ id, from: items[i + 1], cmid: items[i + 2], body: items[i + 3] });
  }
  return msgs;
}

/** Versioned protocol: one entry of a msg-sync reply, `msg v <n> <from> <cmid> <body>`. */
export function encodeVersionEntry(m: StoredMsg): string[] {
  return ['msg', 'v', String(m.id), m.from, m.cmid, m.body];
}

export function decodeVersionEntry(e: unknown): StoredMsg | null {
  if (!Array.isArray(e) || e.length !== 6 || e[0] !== 'msg' || e[1] !== 'v') return null;
  const id = Number(e[2]);
  if (!Number.isSafeInteger(id) || e.slice(3).some((x) => typeof x !== 'string')) return null;
  return { id, from: e[3], cmid: e[4], body: e[5] };
}

/** Parses a decimal id as Redis does for integers: digits only, no sign, no spaces. */
export function parseId(s: string): number | null {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** `-BEHIND <v> ...`: versions up to v are gone; the client should sync again from v. */
export function behind(v: number): ReplyError {
  return new ReplyError(`BEHIND ${v} history trimmed: versions up to ${v} are gone; sync again from ${v}`);
}

export function parseBehind(r: unknown): number | null {
  if (!(r instanceof ReplyError)) return null;
  const m = /^BEHIND (\d+) /.exec(r.message);
  return m ? Number(m[1]) : null;
}

/**
 * `-RESET <latest> ...`: the client asked after a version the server never gave out (its store was reset:
 * an embedded store restarted empty, a Redis without persistence). The server's versions now end at
 * `latest`; the client should report what it can no longer get and sync again from `latest`.
 */
export function reset(latest: number): ReplyError {
  return new ReplyError(`RESET ${latest} the server's versions end at ${latest} (its store was reset); sync again from ${latest}`);
}

export function parseReset(r: unknown): number | null {
  if (!(r instanceof ReplyError)) return null;
  const m = /^RESET (\d+) /.exec(r.message);
  return m ? Number(m[1]) : null;
}

/**
 * A message that carries media (an image, a voice clip) carries only its reference: the bytes went over
 * HTTP (POST /media), as the deck says the long connection carries light real-time data only.
 * `media:<type>:<id>`, the id being the SHA-256 of the bytes in hex: `media:image/png:9f86d0…`.
 */
export interface MediaRef { type: string; id: string }

const MEDIA_REF = /^media:([a-z]+\/[a-z0-9.+-]+):([0-9a-f]{64})$/;

export function mediaRef(type: string, id: string): string {
  const ref = `media:${type}:${id}`;
  if (!MEDIA_REF.test(ref)) throw new RangeError(`not a media reference: ${JSON.stringify(ref)} (type like image/png, id 64 hex digits)`);
  return ref;
}

/** The media a message body refers to, or null for a text message. */
export function parseMediaRef(body: string): MediaRef | null {
  if (!body.startsWith('media:')) return null;
  const m = MEDIA_REF.exec(body);
  return m ? { type: m[1], id: m[2] } : null;
}
