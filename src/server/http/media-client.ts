// The client side of media over HTTP: upload bytes, get the reference to send on the long connection;
// download what a reference points to. Real HTTP (fetch); errors carry the server's explanation.
import { parseMediaRef } from '../../protocol/messages';
import type { UploadResult } from './media';

export interface HttpLogin {
  /** `http://127.0.0.1:PORT` */
  url: string;
  user: string;
  token: string;
}

export class MediaHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const basic = (l: HttpLogin) => `Basic ${Buffer.from(`${l.user}:${l.token}`).toString('base64')}`;

async function fail(res: Response): Promise<never> {
  const text = await res.text();
  let body: { error?: string; message?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not ours: show what came back
  }
  throw new MediaHttpError(res.status, body.error ?? 'http', `HTTP ${res.status}: ${body.message ?? text.slice(0, 200)}`);
}

/** Uploads an image or a voice clip; `ref` is what to send as the message body. */
export async function uploadMedia(at: HttpLogin, bytes: Uint8Array, type: string): Promise<UploadResult> {
  const res = await fetch(`${at.url}/media`, { method: 'POST', body: bytes, headers: { 'Content-Type': type, Authorization: basic(at) } });
  if (res.status !== 201 && res.status !== 200) return fail(res);
  return (await res.json()) as UploadResult;
}

/** Downloads the media a message body refers to. */
export async function downloadMedia(at: HttpLogin, ref: string): Promise<{ type: string; bytes: Buffer }> {
  const r = parseMediaRef(ref);
  if (!r) throw new RangeError(`not a media reference: ${JSON.stringify(ref.slice(0, 80))}`);
  const res = await fetch(`${at.url}/media/${r.id}`, { headers: { Authorization: basic(at) } });
  if (res.status !== 200) return fail(res);
  return { type: res.headers.get('content-type') ?? r.type, bytes: Buffer.from(await res.arrayBuffer()) };
}
