// The monitoring endpoints of `imsim serve --http`: Prometheus /metrics, /stats, and the live dashboard
// page in a real headless Chromium (Debian's, driven by playwright-core): it draws the deck's table,
// follows the traffic we generate, and a screenshot taken after the numbers changed shows it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MINUTES, MINUTE_US, Monitor } from '../../../src/monitor';
import { epochClock } from '../../../src/server/monitoring';
import { mediaRef } from '../../../src/protocol/messages';
import type { ImClient } from '../../../src/protocol/client';
import { makeToken } from '../../../src/protocol/token';
import { startSite, type RunningSite } from '../../../src/server/http/site';
import { tcpClient } from '../../../src/server/tcp-client';
import { startServer, type RunningServer } from '../../../src/server/tcp-server';
import { until } from '../../helpers/until';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: RunningServer;
let site: RunningSite;
let profile: string;
let browser: BrowserContext;
const monitor = new Monitor();
const clients: ImClient[] = [];

/**
 * A test cannot wait a day: the past is fed to the monitor before the server starts, as a server that
 * ran yesterday and over the last hour would have fed it (epoch times, in order): a daily curve of
 * requests, sessions that come and go, text and image messages.
 */
function seedPast(m: Monitor): void {
  const MIN = MINUTE_US;
  const now = epochClock().now();
  const thisMinute = Math.floor(now / MIN) * MIN;
  for (const dayAgo of [1, 0]) {
    for (let ago = 90; ago >= 1; ago--) {
      const t = thisMinute - dayAgo * DAY_MINUTES * MIN - ago * MIN;
      const load = 1 + Math.sin(ago / 9) * 0.6 + (dayAgo ? 0.3 : 0);
      m.cmd(t, 0, Math.round(600 * load));
      m.cmdq(t + 1, 0, Math.round(5 * load));
      m.cmdq(t + 2, 0, 0);
      if (ago % 7 === 0) m.error(t + 3, 0);
      for (let i = 0; i < Math.round(8 * load); i++) m.message(t + 4 + i, i % 4 === 0 ? 'image' : 'text');
      const platform = (['ios', 'android', 'wp', 'eios'] as const)[ago % 4];
      m.session(t + 20, 0, platform, null, 'iop-ses');
      m.session(t + 21, 0, platform, 'iop-ses', 'session');
      m.session(t + 59_000_000, 0, platform, 'session', null); // gone before the minute ends
    }
  }
}

beforeAll(async () => {
  seedPast(monitor);
  expect(monitor.violations({ atRest: true })).toEqual([]);
  server = await startServer({ protocol: 'versioned', port: 0, monitor });
  site = await startSite({ port: 0, monitor, monitoring: { refreshMs: 250 } });
  profile = mkdtempSync(join(tmpdir(), 'imsim-chromium-'));
  // a fresh profile each run; Playwright takes it as the persistent context's folder (--user-data-dir)
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.stop();
  await browser?.close();
  await site?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});


const metric = (page: Page, name: string) => page.locator(`[data-metric="${name}"]`).innerText();
const updates = async (page: Page) => Number(await page.locator('body').getAttribute('data-updates'));

/**
 * What a PNG shows, measured in the browser itself (no image library needed): its size, the share of
 * pixels that are not the page's background, and how many distinct colours it has.
 */
async function pngStats(page: Page, png: Buffer): Promise<{ width: number; height: number; inked: number; colours: number }> {
  // runs in the page (a string: this file is compiled without the DOM's types)
  return page.evaluate(`(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const bg = px[0] + ',' + px[1] + ',' + px[2];
    const colours = new Set();
    let inked = 0;
    for (let i = 0; i < px.length; i += 4) {
      const k = px[i] + ',' + px[i + 1] + ',' + px[i + 2];
      colours.add(k);
      if (k !== bg) inked++;
    }
    return { width: c.width, height: c.height, inked: inked / (px.length / 4), colours: colours.size };
  })(${JSON.stringify(png.toString('base64'))})`);
}

describe('HTTP monitoring endpoints', () => {
  it('/metrics is Prometheus text with the deck\'s metrics and the process metrics', async () => {
    const res = await fetch(`${site.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const want of ['# TYPE imsim_cmd_total counter', '# TYPE imsim_cmdq gauge', 'imsim_sessions{server="0",phase="session"}',
      'imsim_messages_total{kind="text"}', '# TYPE process_resident_memory_bytes gauge', 'nodejs_eventloop_lag_seconds']) {
      expect(text).toContain(want);
    }
  });

  it('/stats is the STATS text over HTTP, sections by ?section=', async () => {
    const text = await (await fetch(`${site.url}/stats?section=sessions`)).text();
    expect(text).toMatch(/^# Sessions\r\ntot-ses:\d+\r\niop-ses:\d+\r\np-ses:\d+\r\nsession:\d+\r\n$/);
  });
});

describe('the live dashboard in headless Chromium', () => {
  it('draws the deck\'s table and follows the traffic while we watch; the screenshot shows it', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${site.url}/dashboard`);
    await until('first refresh', async () => (await updates(page)) >= 1);
    expect(await metric(page, 'session')).toBe('0');
    const [text0, image0] = [Number(await metric(page, 'text')), Number(await metric(page, 'image'))];
    expect(text0).toBeGreaterThan(0); // today's seeded minutes (unless the test started just after midnight)
    // the deck's table is drawn: the 16 rows with the slide's names
    const table = page.locator('#table svg');
    await expect(table.count()).resolves.toBe(1);
    const labels = await table.locator('text').allTextContents();
    for (const row of ['1. 每秒请求量 (cmd)', '5. 每秒请求量sum (cmd_sum)', '12. 登陆用户 (session)', '16. 微软客户端 (wp)']) expect(labels).toContain(row);
    await expect(page.locator('#yesterday svg').count()).resolves.toBe(1);
    // history curves: one path per row (the seeded hour and the live point)
    expect(await table.locator('path[aria-roledescription="area mark"], g.mark-area path').count()).toBeGreaterThanOrEqual(16);
    const before = await page.screenshot({ fullPage: true });

    // traffic: three clients on three platforms log in and talk
    const at = { host: server.host, port: server.port };
    const got: string[] = [];
    for (const [user, platform] of [['alice', 'ios'], ['bob', 'android'], ['carol', 'wp']] as const) {
      clients.push(tcpClient({ user, token: makeToken(user), protocol: 'versioned', platform, reconnect: 'never' }, at, {
        applied: (m) => void got.push(m.body),
      }));
    }
    for (const c of clients) c.start();
    await until('all online', () => clients.every((c) => c.state === 'online'));
    for (let i = 0; i < 12; i++) clients[0].send('bob', `hello ${i}`);
    clients[2].send('bob', mediaRef('image/png', 'ab'.repeat(32)));
    await until('bob has them', () => got.length === 13);

    // the page follows without a reload
    await until('the page shows 3 sessions and the messages', async () =>
      (await metric(page, 'session')) === '3' && Number(await metric(page, 'text')) === text0 + 12 && Number(await metric(page, 'image')) === image0 + 1);
    expect(Number(await metric(page, 'cmd'))).toBeGreaterThan(0);
    const n = await updates(page);
    await until('it keeps refreshing', async () => (await updates(page)) >= n + 2);
    // the table's value column says it too: the row values are drawn beside their names
    const values = await page.locator('#table svg text').allTextContents();
    expect(values).toContain('3');
    expect(problems).toEqual([]);
    // nothing came from anywhere but this server (no CDN)
    expect(requested.filter((u) => !u.startsWith(site.url))).toEqual([]);

    const after = await page.screenshot({ fullPage: true });
    writeFileSync(join(tmpdir(), 'imsim-dashboard.png'), after); // to look at by hand
    expect(after.equals(before)).toBe(false);
    const s = await pngStats(page, after);
    expect(s.width).toBe(1280);
    expect(s.height).toBeGreaterThanOrEqual(500);
    expect(s.inked).toBeGreaterThan(0.05); // text, panels, curves: not a blank page
    expect(s.colours).toBeGreaterThan(50); // anti-aliased text and coloured marks
    // the headline number changed between the two screenshots
    const kpi = await page.locator('[data-metric="session"]').screenshot();
    expect((await pngStats(page, kpi)).inked).toBeGreaterThan(0.02);
    await page.close();
  }, 60_000);

  it('?lang=en shows the English names', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/dashboard?lang=en`);
    await until('first refresh', async () => (await updates(page)) >= 1);
    expect(await page.locator('#table svg text').allTextContents()).toContain('12. logged in (session)');
    await page.close();
  }, 30_000);
});
