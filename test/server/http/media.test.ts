// Media over HTTP with real HTTP requests: content-addressed uploads, downloads with caching headers,
// limits and clear errors; then the whole path -- upload, the reference over the long connection,
// the recipient downloads it, and the monitor counts an image message.
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../../src/monitor';
import { parseMediaRef } from '../../../src/protocol/messages';
import { makeToken } from '../../../src/protocol/token';
import { downloadMedia, MediaHttpError, uploadMedia } from '../../../src/server/http/media-client';
import { MediaStore } from '../../../src/server/http/media-store';
import { startSite, type RunningSite } from '../../../src/server/http/site';
import { tcpClient } from '../../../src/server/tcp-client';
import { startServer } from '../../../src/server/tcp-server';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(100, 1)]);
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(3000, 0x3c)]);

let site: RunningSite;
const auth = (user = 'alice', token = makeToken(user)) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
beforeAll(async () => {
  site = await startSite({ port: 0, media: new MediaStore(64 * 1024), mediaLimits: { imageBytes: 16 * 1024, voiceBytes: 8 * 1024 } });
});
afterAll(async () => {
  await site.close();
});

const post = (body: Uint8Array, type: string | null, headers: Record<string, string> = { Authorization: auth() }) =>
  fetch(`${site.url}/media`, { method: 'POST', body, headers: { ...(type ? { 'Content-Type': type } : {}), ...headers } });

async function error(res: Response): Promise<{ status: number; error: string; message: string }> {
  const body = (await res.json()) as { error: string; message: string };
  return { status: res.status, ...body };
}

describe('POST /media and GET /media/<id>', () => {
  it('stores bytes under their SHA-256 and answers the reference to send; the same bytes again are the same media', async () => {
    const res = await post(PNG, 'image/png');
    expect(res.status).toBe(201);
    const id = createHash('sha256').update(PNG).digest('hex');
    expect(await res.json()).toEqual({ id, type: 'image/png', bytes: PNG.length, url: `/media/${id}`, ref: `media:image/png:${id}` });
    expect(res.headers.get('location')).toBe(`/media/${id}`);
    const again = await post(PNG, 'image/png; charset=binary', { Authorization: auth('bob') });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(id);
    expect(site.media.count).toBe(1);
  });

  it('downloads with the stored type, an ETag and immutable caching; If-None-Match gives 304; HEAD has no body', async () => {
    const { id } = (await (await post(AMR, 'audio/amr')).json()) as { id: string };
    const res = await fetch(`${site.url}/media/${id}`, { headers: { Authorization: auth('bob') } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/amr');
    expect(res.headers.get('etag')).toBe(`"${id}"`);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(AMR)).toBe(true);
    const cached = await fetch(`${site.url}/media/${id}`, { headers: { Authorization: auth('bob'), 'If-None-Match': `"${id}"` } });
    expect(cached.status).toBe(304);
    const head = await fetch(`${site.url}/media/${id}`, { method: 'HEAD', headers: { Authorization: auth('bob') } });
    expect([head.status, head.headers.get('content-length'), (await head.text()).length]).toEqual([200, String(AMR.length), 0]);
  });

  it('needs a login: no credentials or a wrong token is 401 with a Basic challenge', async () => {
    const none = await post(PNG, 'image/png', {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="imsim"/);
    expect((await error(none)).message).toMatch(/curl -u alice:/);
    expect((await error(await post(PNG, 'image/png', { Authorization: auth('alice', 'f'.repeat(32)) }))).error).toBe('unauthorized');
    expect((await fetch(`${site.url}/media/${'0'.repeat(64)}`)).status).toBe(401);
  });

  it('refuses what is not an accepted image or voice clip, naming what would be accepted', async () => {
    expect(await error(await post(PNG, 'application/pdf'))).toMatchObject({ status: 415, error: 'unsupported_type' });
    expect((await error(await post(PNG, null))).message).toMatch(/no Content-Type given: upload an image or a voice clip as one of image\/png, image\/jpeg/);
    const mismatch = await error(await post(JPEG, 'image/png'));
    expect(mismatch).toMatchObject({ status: 415, error: 'type_mismatch' });
    expect(mismatch.message).toContain('it looks like image/jpeg');
    expect(await error(await post(Buffer.alloc(0), 'image/png'))).toMatchObject({ status: 400, error: 'empty' });
  });

  it('limits sizes per family, by the declared length or while streaming; a full store is 507', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(17 * 1024)]);
    const declared = await error(await post(big, 'image/png'));
    expect(declared).toMatchObject({ status: 413, error: 'too_large' });
    expect(declared.message).toBe(`image/png uploads are limited to 16384 bytes; this one has ${big.length}: send a smaller or more compressed file`);
    // no Content-Length: a chunked body that grows past the limit
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(AMR));
        c.enqueue(new Uint8Array(9 * 1024));
        c.close();
      },
    });
    const streamed = await fetch(`${site.url}/media`, {
      method: 'POST', body: stream, duplex: 'half', headers: { 'Content-Type': 'audio/amr', Authorization: auth() },
    } as RequestInit);
    expect(await error(streamed)).toMatchObject({ status: 413, error: 'too_large' });
    // fill the 64 KiB store with distinct images
    let status = 0;
    for (let i = 0; i < 8 && status !== 507; i++) {
      const img = Buffer.concat([PNG, Buffer.alloc(15 * 1024, i + 1)]);
      status = (await post(img, 'image/png')).status;
    }
    expect(status).toBe(507);
  });

  it('refuses an oversized upload announced with Expect: 100-continue before its body is sent', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(site.port, '127.0.0.1');
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.write(`POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth()}\r\nContent-Type: image/png\r\nContent-Length: 999999\r\nExpect: 100-continue\r\n\r\n`);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).not.toContain('100 Continue');
    expect(reply).toContain('Connection: close');
  });

  it('answers bad ids, unknown media, wrong methods and unknown paths clearly', async () => {
    const get = (p: string, init: RequestInit = {}) => fetch(`${site.url}${p}`, { ...init, headers: { Authorization: auth() } });
    expect((await error(await get('/media/..%2F..%2Fetc%2Fpasswd'))).message).toMatch(/is not a media id: ids are the 64 hex digits/);
    expect((await error(await get(`/media/${'a'.repeat(64)}`))).message).toMatch(/never uploaded here/);
    const wrong = await get('/media');
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await get('/nosuch')).status).toBe(404);
    const index = await (await fetch(`${site.url}/`)).text();
    expect(index).toContain('/media/<id>');
  });
});

describe('an image message end to end', () => {
  it('the bytes go over HTTP, only the reference over the long connection; the monitor counts an image', async () => {
    const monitor = new Monitor();
    const server = await startServer({ protocol: 'versioned', port: 0, monitor });
    const site = await startSite({ port: 0 }); // its own, with the default store and limits
    const at = { host: server.host, port: server.port };
    const got: string[] = [];
    const alice = tcpClient({ user: 'alice', token: makeToken('alice'), protocol: 'versioned', reconnect: 'never' }, at);
    const bob = tcpClient({ user: 'bob', token: makeToken('bob'), protocol: 'versioned', reconnect: 'never' }, at, { applied: (m) => void got.push(m.body) });
    try {
      alice.start();
      bob.start();
      const up = await uploadMedia({ url: site.url, user: 'alice', token: makeToken('alice') }, JPEG, 'image/jpeg');
      alice.send('bob', up.ref);
      alice.send('bob', 'nice, right?');
      const deadline = Date.now() + 5000;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(got).toEqual([up.ref, 'nice, right?']);
      expect(got[0].length).toBeLessThan(100); // what crossed the long connection
      const down = await downloadMedia({ url: site.url, user: 'bob', token: makeToken('bob') }, got[0]);
      expect(down.type).toBe('image/jpeg');
      expect(down.bytes.equals(JPEG)).toBe(true);
      expect(parseMediaRef(got[0])?.id).toBe(createHash('sha256').update(down.bytes).digest('hex'));
      expect([monitor.messageTotal('image'), monitor.messageTotal('text')]).toEqual([1, 1]);
      await expect(uploadMedia({ url: site.url, user: 'alice', token: 'x' }, JPEG, 'image/jpeg')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
      await expect(downloadMedia({ url: site.url, user: 'bob', token: makeToken('bob') }, `media:image/png:${'e'.repeat(64)}`)).rejects.toBeInstanceOf(MediaHttpError);
    } finally {
      alice.stop();
      bob.stop();
      await server.close();
      await site.close();
    }
  });
});
