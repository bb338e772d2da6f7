// Media over HTTP (the deck: images and voice go over their own HTTP connection; the long connection
// carries only light real-time data). A logged-in user uploads bytes with POST /media and gets back the
// reference to send on the long connection (`media:<type>:<id>`); a recipient downloads GET /media/<id>.
// Users log in as on the long connection: HTTP Basic with the user and its token (curl -u alice:TOKEN).
import type * as http from 'node:http';
import { mediaRef } from '../../protocol/messages';
import { verifyToken } from '../../protocol/token';
import { HttpError, readBody, sendJson, type HttpRoute } from './http-server';
import { MEDIA_ID, MediaFullError, type MediaStore, type StoredMedia } from './media-store';
import { MEDIA_TYPES, mediaType, type MediaFamily } from './media-types';

export interface MediaLimits {
  /** Largest image, bytes (default 10 MiB). */
  imageBytes: number;
  /** Largest voice clip, bytes (default 2 MiB: a minute of AAC at 128 kbit/s is under 1 MiB). */
  voiceBytes: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { imageBytes: 10 * 1024 * 1024, voiceBytes: 2 * 1024 * 1024 };

export interface MediaRoutesOptions {
  store: MediaStore;
  secret: string;
  limits?: Partial<MediaLimits>;
}

/** What an upload answers: the reference to send, and where the bytes are. */
export interface UploadResult {
  id: string;
  type: string;
  bytes: number;
  url: string;
  ref: string;
}

const ACCEPTED = MEDIA_TYPES.map((t) => t.type).join(', ');

/** The user an `Authorization: Basic` header logs in, or a 401 that says how to log in. */
function authenticate(req: http.IncomingMessage, secret: string): string {
  const how = 'log in as on the long connection: HTTP Basic with your user and its token (curl -u alice:$(npx imsim token alice))';
  const challenge = { 'WWW-Authenticate': 'Basic realm="imsim", charset="UTF-8"' };
  const h = req.headers.authorization;
  if (!h) throw new HttpError(401, 'unauthorized', `authentication required: ${how}`, challenge);
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h);
  const pair = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const i = pair.indexOf(':');
  const user = i > 0 ? pair.slice(0, i) : '';
  if (!user || !verifyToken(user, pair.slice(i + 1), secret)) throw new HttpError(401, 'unauthorized', `wrong user or token: ${how}`, challenge);
  return user;
}

function describe(m: StoredMedia): UploadResult {
  return { id: m.id, type: m.type, bytes: m.bytes.length, url: `/media/${m.id}`, ref: mediaRef(m.type, m.id) };
}

export function mediaRoutes(opts: MediaRoutesOptions): HttpRoute[] {
  const limits = { ...DEFAULT_MEDIA_LIMITS, ...opts.limits };
  const limitOf = (f: MediaFamily) => (f === 'image' ? limits.imageBytes : limits.voiceBytes);
  const { store, secret } = opts;

  /** The checks that need no body: login, an accepted type, a declared size within its limit. */
  const precheck = (req: http.IncomingMessage) => {
    authenticate(req, secret);
    const t = mediaType(req.headers['content-type']);
    if (!t) {
      const said = req.headers['content-type'] ? `'${req.headers['content-type']}' is not accepted` : 'no Content-Type given';
      throw new HttpError(415, 'unsupported_type', `${said}: upload an image or a voice clip as one of ${ACCEPTED}`);
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitOf(t.family)) throw tooLarge(t.type, limitOf(t.family), Number(declared));
    return t;
  };
  const tooLarge = (type: string, limit: number, n: number | null) =>
    new HttpError(413, 'too_large', `${type} uploads are limited to ${limit} bytes${n === null ? '' : `; this one has ${n}`}: send a smaller or more compressed file`);

  const upload = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = precheck(req);
    const limit = limitOf(t.family);
    const body = await readBody(req, limit, (n) => tooLarge(t.type, limit, n));
    if (body.length === 0) throw new HttpError(400, 'empty', `the body is empty: send the ${t.type} bytes as the request body`);
    if (!t.sniff(body)) {
      const actual = MEDIA_TYPES.find((x) => x.sniff(body));
      throw new HttpError(415, 'type_mismatch', `the body is not ${t.type}${actual ? ` (it looks like ${actual.type})` : ''}: declare the Content-Type the file really has`);
    }
    let put;
    try {
      put = store.put(body, t.type);
    } catch (err) {
      if (err instanceof MediaFullError) throw new HttpError(507, 'storage_full', `${err.message}: try again later`);
      throw err;
    }
    const out = describe(put.media);
    sendJson(res, put.created ? 201 : 200, out, { Location: out.url });
  };

  const download = (req: http.IncomingMessage, res: http.ServerResponse, [id]: string[]) => {
    authenticate(req, secret);
    if (!MEDIA_ID.test(id)) throw new HttpError(404, 'not_found', `'${id.slice(0, 80)}' is not a media id: ids are the 64 hex digits of the bytes' SHA-256, as an upload returns them`);
    const m = store.get(id);
    if (!m) throw new HttpError(404, 'not_found', `no media ${id}: it was never uploaded here (or the server restarted: media is kept in memory)`);
    const etag = `"${m.id}"`;
    const headers = { ETag: etag, 'Cache-Control': 'private, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };
    if (req.headers['if-none-match']?.split(',').some((e) => e.trim() === etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': m.type, 'Content-Length': m.bytes.length });
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  };

  return [
    { path: '/media', methods: { POST: upload }, expect: precheck, about: 'POST an image or a voice clip (HTTP Basic: user and token); answers the reference to send' },
    { path: /^\/media\/([^/]*)$/, methods: { GET: download, HEAD: download }, shown: '/media/<id>', about: 'download it (HTTP Basic)' },
  ];
}
