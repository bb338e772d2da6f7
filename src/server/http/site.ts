// Everything `imsim serve --http PORT` serves: media upload/download and (with a monitor) the deck's
// monitoring -- Prometheus /metrics and the live dashboard -- plus an index of it all at /.
import type * as http from 'node:http';
import { DEFAULT_SECRET } from '../../protocol/token';
import { startHttpServer, type HttpRoute, type RunningHttp } from './http-server';
import { mediaRoutes, type MediaLimits } from './media';
import { MediaStore } from './media-store';
import type { Monitor } from '../../monitor';
import { monitoringRoutes, type MonitoringRoutesOptions } from './monitoring';

export interface SiteOptions {
  host?: string;
  port?: number;
  /** Login tokens are checked with it (the long connection's secret). */
  secret?: string;
  media?: MediaStore;
  mediaLimits?: Partial<MediaLimits>;
  /** The deck's monitoring to show: /metrics, /stats, /dashboard. */
  monitor?: Monitor;
  monitoring?: Omit<MonitoringRoutesOptions, 'monitor'>;
  /** More routes. */
  routes?: HttpRoute[];
}

export interface RunningSite extends RunningHttp {
  readonly media: MediaStore;
}

export async function startSite(opts: SiteOptions = {}): Promise<RunningSite> {
  const media = opts.media ?? new MediaStore();
  const extra = [...(opts.monitor ? monitoringRoutes({ ...opts.monitoring, monitor: opts.monitor }) : []), ...(opts.routes ?? [])];
  const routes: HttpRoute[] = [...mediaRoutes({ store: media, secret: opts.secret ?? DEFAULT_SECRET, limits: opts.mediaLimits }), ...extra];
  const index = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const line = (r: HttpRoute) => `${Object.keys(r.methods).join('|').padEnd(9)} ${(typeof r.path === 'string' ? r.path : r.shown ?? '').padEnd(20)} ${r.about ?? ''}`;
    const text = ['imsim: the HTTP side of the server', '', ...routes.map(line), ''].join('\n');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  const http = await startHttpServer({ host: opts.host, port: opts.port, routes: [{ path: '/', methods: { GET: index } }, ...routes] });
  return { ...http, media };
}

/** What `imsim serve --http` prints: where things are. */
export function siteBanner(site: RunningSite): string {
  return `http: ${site.url}/  ·  dashboard: ${site.url}/dashboard  ·  Prometheus: ${site.url}/metrics\n` +
    `      media: curl -u alice:TOKEN -H 'Content-Type: image/png' --data-binary @photo.png ${site.url}/media\n`;
}
