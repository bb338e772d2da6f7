// The server's HTTP side (127.0.0.1): a small router over node:http for the routes of media.ts and
// monitoring.ts. Every failure is an HttpError answered as JSON that says what went wrong and what to
// do next; a route that exists answers another method with 405 and its Allow header.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** A stable short code (`too_large`, `unsupported_type`, …). */
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface HttpRoute {
  /** An exact path, or a pattern whose groups are passed to the handler. */
  path: string | RegExp;
  methods: Partial<Record<'GET' | 'HEAD' | 'POST', (req: http.IncomingMessage, res: http.ServerResponse, params: string[]) => void | Promise<void>>>;
  /** For the index page at /: the path as people write it (for a pattern) and what it is for. */
  shown?: string;
  about?: string;
  /** Checked before a client sends a body it announced with `Expect: 100-continue`: throw to refuse it early. */
  expect?: (req: http.IncomingMessage) => void;
}

export interface HttpServerOptions {
  host?: string;
  port?: number;
  routes: HttpRoute[];
}

export interface RunningHttp {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 1) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { error: err.code, message: err.message }, err.headers);
}

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused before
 * reading; a body that grows past it is refused when it does. Either way the connection closes after
 * the error reply (the rest of the body is not wanted).
 */
export function readBody(req: http.IncomingMessage, limit: number, tooLarge: (n: number | null) => HttpError): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(Number(declared)));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(null));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, n)));
    req.once('error', reject);
  });
}

function route(routes: HttpRoute[], path: string): { route: HttpRoute; params: string[] } | null {
  for (const r of routes) {
    if (typeof r.path === 'string') {
      if (r.path === path) return { route: r, params: [] };
    } else {
      const m = r.path.exec(path);
      if (m) return { route: r, params: m.slice(1) };
    }
  }
  return null;
}

/** The path of a request; a target that is not a URL (`GET http://[`) is the client's error: 400. */
function pathOf(req: http.IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    throw new HttpError(400, 'bad_request', `the request target is not a valid URL: ${JSON.stringify(req.url)} (send a path such as /media)`);
  }
}

function allowed(r: HttpRoute): string {
  return Object.keys(r.methods).join(', ');
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttp> {
  const { routes } = opts;
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      if (req.httpVersion === '1.1' && req.headers.host === undefined) {
        throw new HttpError(400, 'bad_request', 'an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)');
      }
      const path = pathOf(req);
      const found = route(routes, path);
      if (!found) throw new HttpError(404, 'not_found', `no such page: ${path} (try / for the list of endpoints)`);
      const fn = found.route.methods[req.method as 'GET'];
      if (!fn) throw new HttpError(405, 'method_not_allowed', `${path} takes ${allowed(found.route)}, not ${req.method}`, { Allow: allowed(found.route) });
      await fn(req, res, found.params);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', `internal error: ${(err as Error).message}`);
      if (e.status >= 500 && !(err instanceof HttpError)) process.stderr.write(`imsim http: ${(err as Error).stack}\n`);
      // A refused body is not read: say so and close, rather than swallow the rest of it.
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, e);
    }
  };
  // handle() answers every error itself; anything left (a failure while answering) ends that request only.
  const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: Error) => {
      process.stderr.write(`imsim http: ${err.stack}\n`);
      res.destroy();
    });
  };
  // Host is checked in handle(), so that its 400 has the JSON shape of every other error.
  const server = http.createServer({ requireHostHeader: false }, serve);
  // `Expect: 100-continue` (curl sends it for big uploads): refuse before the body is sent, or invite it.
  server.on('checkContinue', (req, res) => {
    try {
      route(routes, pathOf(req))?.route.expect?.(req);
    } catch (err) {
      res.setHeader('Connection', 'close');
      sendError(res, err instanceof HttpError ? err : new HttpError(400, 'bad_request', (err as Error).message));
      return;
    }
    res.writeContinue();
    serve(req, res);
  });
  // A request node:http cannot parse (bad request line, headers too large): 400 and close that socket only.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const text = JSON.stringify({ error: 'bad_request', message: `malformed HTTP request (${err.code ?? err.message})` }, null, 1) + '\n';
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host, port, url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
