/**
 * @module relay/dashboard-page
 * The dashboard's static page and script (served by relay/dashboard.ts), kept as strings so the
 * compiled package needs no asset lookup. The script polls `/dashboard/data` once a second,
 * derives frames/s and bytes/s from successive counters, and draws the last two minutes as SVG
 * polylines; every value is written with textContent (nothing from the relay becomes HTML).
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shardwire relay</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
  h1 { font-size: 1.2rem; margin: 0 0 1rem; }
  h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .6rem; }
  .tile { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: .6rem .8rem; }
  .tile b { display: block; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
  .tile span { color: #5b6475; font-size: .8rem; }
  svg { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; width: 100%; max-width: 40rem; height: 8rem; }
  polyline { fill: none; stroke-width: 2; }
  #frames-line { stroke: #2563eb; } #bytes-line { stroke: #c2410c; stroke-dasharray: 5 3; }
  table { border-collapse: collapse; background: #fff; min-width: 20rem; }
  td, th { border: 1px solid #dde1e8; padding: .25rem .6rem; text-align: left; font-variant-numeric: tabular-nums; }
  .muted { color: #5b6475; }
  #status.bad { color: #b91c1c; }
</style>
</head>
<body>
<h1>shardwire relay <span id="status" class="muted">connecting…</span></h1>
<div class="tiles">
  <div class="tile"><b id="sessions">–</b><span>sessions</span></div>
  <div class="tile"><b id="peers">–</b><span>peers (authenticated)</span></div>
  <div class="tile"><b id="connections">–</b><span>connections</span></div>
  <div class="tile"><b id="rounds">–</b><span>rounds in flight</span></div>
  <div class="tile"><b id="fps">–</b><span>frames / s</span></div>
  <div class="tile"><b id="bps">–</b><span>bytes / s</span></div>
  <div class="tile"><b id="buffered">–</b><span>bytes queued</span></div>
  <div class="tile"><b id="uptime">–</b><span>uptime</span></div>
</div>
<h2>Traffic, last 2 minutes <span class="muted">(<span style="color:#2563eb">frames/s</span>,
  <span style="color:#c2410c">bytes/s</span>; each scaled to its own peak)</span></h2>
<svg id="chart" viewBox="0 0 240 80" preserveAspectRatio="none" role="img" aria-label="frames and bytes per second">
  <polyline id="frames-line" points=""></polyline>
  <polyline id="bytes-line" points=""></polyline>
</svg>
<h2>Drops by reason</h2>
<table><thead><tr><th>reason</th><th>frames</th></tr></thead><tbody id="drops"></tbody></table>
<h2>Errors sent to peers, by code</h2>
<table><thead><tr><th>code</th><th>count</th></tr></thead><tbody id="errors"></tbody></table>
<h2>Rounds in flight</h2>
<table><thead><tr><th>session</th><th>round memo</th><th>last frame</th></tr></thead>
  <tbody id="round-list"></tbody></table>
<p class="muted">Read-only. Counts from the relay's metrics (also at <a href="/metrics">/metrics</a>);
  no keys or payloads.</p>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;

export const DASHBOARD_JS = `'use strict';
(() => {
  const WINDOW = 120;
  const series = [];
  let last;
  const $ = (id) => document.getElementById(id);
  const num = (n) => n >= 1e9 ? (n / 1e9).toFixed(2) + ' G' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' M'
    : n >= 1e4 ? (n / 1e3).toFixed(1) + ' k' : String(Math.round(n));
  const dur = (s) => s >= 86400 ? Math.floor(s / 86400) + ' d' : s >= 3600 ? Math.floor(s / 3600) + ' h'
    : s >= 60 ? Math.floor(s / 60) + ' min' : s + ' s';
  function rows(tbody, entries) {
    tbody.replaceChildren();
    if (entries.length === 0) entries = [['none', '']];
    for (const cells of entries) {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = String(c);
        tr.append(td);
      }
      tbody.append(tr);
    }
  }
  function line(el, values) {
    const peak = Math.max(1e-9, ...values);
    const step = 240 / (WINDOW - 1);
    const offset = WINDOW - values.length;
    const point = (v, i) => ((offset + i) * step).toFixed(1) + ',' + (78 - (v / peak) * 74).toFixed(1);
    el.setAttribute('points', values.map(point).join(' '));
  }
  function show(d) {
    if (last !== undefined && d.t > last.t) {
      const dt = (d.t - last.t) / 1000;
      series.push({ fps: (d.framesRouted - last.framesRouted) / dt, bps: (d.bytesRouted - last.bytesRouted) / dt });
      if (series.length > WINDOW) series.shift();
    }
    last = d;
    const now = series[series.length - 1];
    $('status').textContent = d.status === 'ok' ? 'live' : d.status;
    $('status').className = d.status === 'ok' ? 'muted' : 'bad';
    $('sessions').textContent = num(d.sessions);
    $('peers').textContent = num(d.peers);
    $('connections').textContent = num(d.connections);
    $('rounds').textContent = num(d.roundsInFlight);
    $('fps').textContent = now ? num(now.fps) : '–';
    $('bps').textContent = now ? num(now.bps) : '–';
    $('buffered').textContent = num(d.bufferedBytes);
    $('uptime').textContent = dur(d.uptimeS);
    line($('frames-line'), series.map((p) => p.fps));
    line($('bytes-line'), series.map((p) => p.bps));
    rows($('drops'), Object.entries(d.dropped));
    rows($('errors'), Object.entries(d.errors));
    rows($('round-list'), d.rounds.map((r) => [r.session, r.memo, (r.idleMs / 1000).toFixed(1) + ' s ago']));
  }
  async function poll() {
    try {
      const res = await fetch('/dashboard/data', { cache: 'no-store' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      show(await res.json());
    } catch (e) {
      $('status').textContent = 'relay unreachable (' + e.message + ')';
      $('status').className = 'bad';
    }
    setTimeout(poll, 1000);
  }
  poll();
})();
`;
