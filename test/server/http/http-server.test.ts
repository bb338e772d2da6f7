// The HTTP router against requests node:http lets through but a URL parser refuses, and requests
// node:http itself cannot parse: each gets a 400 in the project's JSON error shape on its own
// connection, and the server goes on serving everyone else.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type RunningHttp } from '../../../src/server/http/http-server';

let server: RunningHttp;
let expectCalls = 0;
beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    routes: [
      { path: '/hello', methods: { GET: (_req, res) => void res.end('hello\n') } },
      { path: '/upload', methods: { POST: (_req, res) => void res.end('ok\n') }, expect: () => void expectCalls++ },
    ],
  });
});
afterAll(async () => {
  await server.close();
});

/** Sends raw bytes on a fresh connection and reads everything until the server closes it. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.port, server.host);
    const got: Buffer[] = [];
    s.on('data', (c) => got.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
    s.write(bytes);
  });
}

function parse(text: string): { status: number; headers: string; body: unknown } {
  const [head, ...rest] = text.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe('malformed requests', () => {
  it('a request target that is not a URL (GET http://[) gets a JSON 400, and the next request is served', async () => {
    const r = parse(await raw('GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'bad_request', message: expect.stringContaining('not a valid URL') });
    const ok = await fetch(`${server.url}/hello`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello\n');
  });

  it('the same request line with no headers at all (GET http://[ HTTP/1.1, then a blank line): 400 for the missing Host', async () => {
    const r = parse(await raw('GET http://[ HTTP/1.1\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'bad_request', message: expect.stringContaining('Host header') });
    expect((await fetch(`${server.url}/hello`)).status).toBe(200);
  });

  it('Expect: 100-continue with a bad target: 400 before any body is invited, the server stays up', async () => {
    const before = expectCalls;
    const text = await raw('POST http://[ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    expect(text).not.toContain('100 Continue');
    const r = parse(text);
    expect(r.status).toBe(400);
    expect((r.body as { error: string }).error).toBe('bad_request');
    expect(expectCalls).toBe(before);
    expect((await fetch(`${server.url}/upload`, { method: 'POST', body: 'x' })).status).toBe(200);
  });

  it('bytes node:http cannot parse get a JSON 400 and that socket is closed; others are served', async () => {
    const r = parse(await raw('\x00\x01 not http at all\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(r.headers).toMatch(/Connection: close/i);
    expect(r.body).toEqual({ error: 'bad_request', message: expect.stringContaining('malformed HTTP request') });
    expect((await fetch(`${server.url}/hello`)).status).toBe(200);
  });
});
