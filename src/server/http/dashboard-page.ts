// The live dashboard page: the deck's monitoring table (current value and history curve per metric)
// and the messages against the same period yesterday, refreshed from /dashboard/data. Self-contained:
// vega and vega-lite come from this server, so it works without internet. `?lang=en` shows English
// names instead of the slide's Chinese ones.

/** The headline numbers above the charts: the deck's names, as /dashboard/data names its rows. */
const KPIS: [string, string][] = [
  ['cmd', 'requests/s'], ['htime', 'timeouts, 1 min'], ['cmdq', 'queue backlog'], ['error', 'errors, 1 min'],
  ['tot-ses', 'connections'], ['session', 'logged in'], ['text', 'text msgs today'], ['image', 'image msgs today'],
];

export function dashboardPage(opts: { refreshMs: number }): string {
  const kpis = KPIS.map(([name, about]) =>
    `<div class="kpi"><div class="value" data-metric="${name}">–</div><div class="name">${name}</div><div class="about">${about}</div></div>`).join('');
  return `<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>imsim · 监控 monitoring</title>
<link rel="icon" href="data:,">
<style>
  body { font: 14px/1.4 system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 20px 28px; color: #222; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  #status { font-size: 12px; color: #666; margin-bottom: 14px; }
  #status.ok::before { content: "● "; color: #2a9d3a; }
  #status.bad { color: #b3261e; }
  .kpis { display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 16px; }
  .kpi { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 100px; }
  .kpi .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .kpi .name { font-family: ui-monospace, monospace; font-size: 12px; }
  .kpi .about { font-size: 11px; color: #777; }
  .charts { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
  .panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; }
  .panel h2 { font-size: 14px; margin: 0 0 6px; }
</style>
</head>
<body data-updates="0">
<h1>imsim · 监控 <span style="font-weight:normal">the deck's monitoring</span></h1>
<div id="status">connecting…</div>
<div class="kpis">${kpis}</div>
<div class="charts">
  <div class="panel"><h2>monitoring table · 监控</h2><div id="table"></div></div>
  <div class="panel"><h2>messages now vs the same period yesterday</h2><div id="yesterday"></div></div>
</div>
<script src="/dashboard/vega.js"></script>
<script src="/dashboard/vega-lite.js"></script>
<script>
(() => {
  const REFRESH = ${Math.max(100, Math.round(opts.refreshMs))};
  const lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh';
  const status = document.getElementById('status');
  const views = {};
  let updates = 0;

  async function draw(id, spec) {
    const holder = document.createElement('div');
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: holder, hover: false });
    await view.runAsync();
    document.getElementById(id).replaceChildren(holder); // swap whole: no flicker
    if (views[id]) views[id].finalize();
    views[id] = view;
  }

  async function tick() {
    try {
      const res = await fetch('/dashboard/data?lang=' + lang, { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const d = await res.json();
      const shown = Object.fromEntries(d.rows.map((r) => [r.name, r.shown]));
      shown.text = String(d.today.text);
      shown.image = String(d.today.image);
      for (const el of document.querySelectorAll('[data-metric]')) el.textContent = shown[el.dataset.metric] ?? '–';
      await draw('table', d.specs.table);
      await draw('yesterday', d.specs.vsYesterday);
      updates++;
      document.body.dataset.updates = String(updates);
      status.className = 'ok';
      status.textContent = 'live · ' + new Date(d.t).toLocaleTimeString() + ' · server ' + d.server + ' · every ' + REFRESH / 1000 + ' s';
    } catch (e) {
      status.className = 'bad';
      status.textContent = 'cannot reach the server (' + e.message + '); retrying';
    } finally {
      setTimeout(tick, REFRESH);
    }
  }
  tick();
})();
</script>
</body>
</html>
`;
}
