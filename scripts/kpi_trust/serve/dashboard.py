"""The API's lightweight pages: two HTML pages served by the API app, inline SVG and plain JS.

Not the interactive dashboard (`make dashboard`: Streamlit, ``kpi_trust.dashboard``). These
stay because they need nothing beyond the API: `make serve` alone shows them, they go through
the API's bearer token, and alert links open them by default (``report_url``).

``/dashboard``: one KPI and slice over a date range, value and expected band with the trust
score overlaid, anomalies coloured by verdict, a table of the days that alert (reasons, verdict,
root cause) and the quality evidence of the dataset. ``/dashboard/upload``: any CSV scored by
``POST /score/csv`` (the detectors of ``kpi-trust detect``), a consensus slider that re-scores,
and the anomalies downloadable as CSV. No CDN, no build step, no extra dependency: the pages
read the same endpoints as any API client, so what they show is what the API serves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse

STYLE = """
body{font:14px system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:center}
header a{color:#cfe0ff;text-decoration:none}header h1{font-size:17px;margin:0 12px 0 0}
main{padding:14px 18px}section{background:#fff;border:1px solid #dde1e8;border-radius:6px;
padding:12px;margin-bottom:14px}label{margin-right:12px}select,input{margin-left:4px}
table{border-collapse:collapse;width:100%;font-size:12.5px}td,th{border-bottom:1px solid #e6e9ee;
padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f2f5}
.legend span{margin-right:14px}.sw{display:inline-block;width:11px;height:11px;margin-right:4px;
vertical-align:-1px}#msg,.msg{color:#a33}.muted{color:#667}
"""

COMMON_JS = """
const TOKEN_KEY = 'kpiTrustToken';
async function api(path, options) {
  options = options || {};
  options.headers = Object.assign({}, options.headers || {});
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) options.headers['Authorization'] = 'Bearer ' + token;
  let response = await fetch(path, options);
  if (response.status === 401) {
    const given = prompt('This API needs a bearer token (KPI_TRUST_API_TOKEN):');
    if (given) { localStorage.setItem(TOKEN_KEY, given); return api(path, options); }
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { const body = await response.json(); detail = JSON.stringify(body.detail); } catch (e) {}
    throw new Error(response.status + ': ' + detail);
  }
  return response;
}
async function allPages(path) {
  let items = [], offset = 0;
  while (offset !== null) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await (await api(path + sep + 'limit=5000&offset=' + offset)).json();
    items = items.concat(page.items); offset = page.next_offset;
  }
  return items;
}
function esc(text) {
  return String(text === null || text === undefined ? '' : text)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function fmt(x) {
  if (x === null || x === undefined) return '';
  if (typeof x !== 'number') return esc(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(4);
}
const SVGNS = 'http://www.w3.org/2000/svg';
function el(name, attrs, parent) {
  const node = document.createElementNS(SVGNS, name);
  for (const k in attrs) node.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(node);
  return node;
}
const COLORS = {data_incident: '#d62728', real_movement: '#1f77b4', repaired_incident: '#9467bd',
  uncertain: '#ff7f0e', anomaly: '#d62728'};
// One chart: rows [{t: Date, value, expected, lower, upper, mark, markLabel, trust}] -> svg
function chart(svg, rows, options) {
  svg.innerHTML = '';
  const W = 1000, H = options.trust ? 330 : 260, L = 60, R = options.trust ? 50 : 15, T = 12,
    B = 24, plotH = 230;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  if (!rows.length) { el('text', {x: 20, y: 40}, svg).textContent = 'no rows'; return; }
  const ts = rows.map(r => r.t.getTime());
  const t0 = Math.min(...ts), t1 = Math.max(...ts) || t0 + 1;
  const ys = rows.flatMap(r => [r.value, r.lower, r.upper]).filter(v => v !== null && isFinite(v));
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y0 === y1) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
  const X = t => L + (W - L - R) * (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0));
  const Y = v => T + plotH * (1 - (v - y0) / (y1 - y0));
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    el('line', {x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: '#eee'}, svg);
    el('text', {x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', 'font-size': 11}, svg)
      .textContent = fmt(v);
  }
  const band = rows.filter(r => r.lower !== null && r.upper !== null);
  if (band.length) {
    const top = band.map(r => X(r.t.getTime()) + ',' + Y(r.upper));
    const bottom = band.slice().reverse().map(r => X(r.t.getTime()) + ',' + Y(r.lower));
    el('polygon', {points: top.concat(bottom).join(' '), fill: '#cfe0ff', opacity: 0.7,
      'data-role': 'band'}, svg);
    el('polyline', {points: band.map(r => X(r.t.getTime()) + ',' + Y(r.expected)).join(' '),
      fill: 'none', stroke: '#7a9cd6', 'stroke-dasharray': '4 3'}, svg);
  }
  const line = rows.filter(r => r.value !== null);
  el('polyline', {points: line.map(r => X(r.t.getTime()) + ',' + Y(r.value)).join(' '),
    fill: 'none', stroke: '#1d2433', 'stroke-width': 1.6, 'data-role': 'value'}, svg);
  if (options.trust) {
    const TY = v => T + plotH * (1 - v / 100);
    el('polyline', {points: rows.filter(r => r.trust !== null)
      .map(r => X(r.t.getTime()) + ',' + TY(r.trust)).join(' '), fill: 'none',
      stroke: '#2ca02c', 'stroke-width': 1.2, opacity: 0.8, 'data-role': 'trust'}, svg);
    for (const v of [0, 70, 100]) {
      el('text', {x: W - R + 4, y: TY(v) + 4, 'font-size': 11, fill: '#2ca02c'}, svg)
        .textContent = v;
    }
    el('line', {x1: L, x2: W - R, y1: TY(70), y2: TY(70), stroke: '#2ca02c',
      'stroke-dasharray': '2 4', opacity: 0.6}, svg);
    // trust strip: one cell per day coloured by level
    const w = Math.max(2, (W - L - R) / Math.max(rows.length, 1));
    const levelColor = {high: '#2ca02c', medium: '#f2c14e', low: '#d62728',
      insufficient_data: '#bbb'};
    for (const r of rows) {
      const cell = el('rect', {x: X(r.t.getTime()) - w / 2, y: T + plotH + 30, width: w,
        height: 14, fill: levelColor[r.level] || '#bbb'}, svg);
      el('title', {}, cell).textContent = r.t.toISOString().slice(0, 10) + ' trust ' +
        fmt(r.trust) + ' (' + r.level + ')';
    }
    el('text', {x: L - 6, y: T + plotH + 41, 'text-anchor': 'end', 'font-size': 11}, svg)
      .textContent = 'trust';
  }
  for (const r of rows.filter(r => r.mark)) {
    const dot = el('circle', {cx: X(r.t.getTime()), cy: Y(r.value), r: 5,
      fill: COLORS[r.mark] || '#d62728', stroke: '#fff', 'data-role': 'mark'}, svg);
    el('title', {}, dot).textContent = r.markLabel || r.mark;
  }
  const ticks = [[t0, 'start'], [(t0 + t1) / 2, 'middle'], [t1, 'end']];
  for (const [t, anchor] of ticks) {
    el('text', {x: X(t), y: T + plotH + 18, 'text-anchor': anchor, 'font-size': 11}, svg)
      .textContent = new Date(t).toISOString().slice(0, 10);
  }
}
"""

NAV = (
    '<header><h1>KPI Trust</h1><a href="/dashboard">KPIs</a>'
    '<a href="/dashboard/upload">Score a CSV</a><a href="/docs">API</a></header>'
)

KPI_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>KPI Trust dashboard</title>
<style>{STYLE}</style></head><body>{NAV}<main>
<section><label>KPI<select id="kpi"></select></label>
<label>Slice<select id="slice"></select></label>
<label>From<input type="date" id="start"></label><label>to<input type="date" id="end"></label>
<span id="msg"></span></section>
<section><div class="legend"><span><i class="sw" style="background:#1d2433"></i>value</span>
<span><i class="sw" style="background:#cfe0ff"></i>expected band</span>
<span><i class="sw" style="background:#2ca02c"></i>trust score (right axis, strip: level)</span>
<span><i class="sw" style="background:#d62728"></i>data incident</span>
<span><i class="sw" style="background:#1f77b4"></i>real movement</span>
<span><i class="sw" style="background:#9467bd"></i>repaired</span>
<span><i class="sw" style="background:#ff7f0e"></i>uncertain</span></div>
<svg id="chart" width="100%" role="img" aria-label="KPI chart"></svg></section>
<section><h3>Days that alert: low trust or a verdict</h3><div id="alerts"></div></section>
<section><h3>Quality evidence of the dataset (signals below full health)</h3>
<div id="quality"></div></section>
</main><script>{COMMON_JS}
const params = new URLSearchParams(location.search);
let definitions = [];
async function init() {{
  definitions = await allPages('/kpis');
  const kpi = document.getElementById('kpi');
  for (const d of definitions) kpi.add(new Option(d.kpi_name + ' (' + d.dataset + ')', d.kpi_name));
  if (params.get('kpi')) kpi.value = params.get('kpi');
  const day = params.get('date');
  if (day) {{
    const d = new Date(day + 'T00:00:00Z');
    document.getElementById('start').value = new Date(d - 28 * 864e5).toISOString().slice(0, 10);
    document.getElementById('end').value = new Date(+d + 7 * 864e5).toISOString().slice(0, 10);
  }}
  for (const id of ['kpi', 'start', 'end']) document.getElementById(id).onchange = () => load(true);
  document.getElementById('slice').onchange = () => load(false);
  await load(true);
}}
async function load(refreshSlices) {{
  const msg = document.getElementById('msg'); msg.textContent = 'loading...';
  try {{
    const kpi = document.getElementById('kpi').value;
    let query = '/kpis/series?kpi=' + encodeURIComponent(kpi);
    const start = document.getElementById('start').value;
    const end = document.getElementById('end').value;
    if (start) query += '&start=' + start;
    if (end) query += '&end=' + end;
    const rows = await allPages(query);
    const slice = document.getElementById('slice');
    if (refreshSlices) {{
      const keep = slice.value || (params.get('dimension_name') ?
        params.get('dimension_name') + '=' + params.get('dimension_value') : 'all=all');
      slice.innerHTML = '';
      const keys = [...new Set(rows.map(r => r.dimension_name + '=' + r.dimension_value))].sort();
      for (const k of keys) slice.add(new Option(k === 'all=all' ? 'total' : k, k));
      slice.value = keys.includes(keep) ? keep : 'all=all';
    }}
    const chosen = rows.filter(r => r.dimension_name + '=' + r.dimension_value === slice.value);
    chart(document.getElementById('chart'), chosen.map(r => ({{
      t: new Date(r.kpi_date + 'T00:00:00Z'), value: r.value, expected: r.expected,
      lower: r.lower, upper: r.upper, trust: r.trust_score, level: r.trust_level,
      mark: r.verdict || (r.is_anomaly ? 'anomaly' : null),
      markLabel: r.kpi_date + ': ' + (r.verdict_sentence || r.anomaly_status)}})), {{trust: true}});
    const alerting = chosen.filter(r => r.trust_level === 'low' || r.verdict);
    document.getElementById('alerts').innerHTML = alerting.length ? '<table><tr><th>day</th>' +
      '<th>value</th><th>expected</th><th>trust</th><th>verdict</th><th>root cause</th>' +
      '<th>reasons</th></tr>' + alerting.map(r => '<tr><td>' + r.kpi_date + '</td><td>' +
      fmt(r.value) + '</td><td>' + fmt(r.expected) + '</td><td>' + fmt(r.trust_score) + ' (' +
      esc(r.trust_level) + ')</td><td>' + esc(r.verdict_sentence || r.verdict || '') +
      '</td><td>' + esc(r.root_cause_sentence || r.root_cause || '') + '</td><td>' +
      esc(r.top_reasons || '') + '</td></tr>').join('') + '</table>'
      : '<p class="muted">none in this range</p>';
    const def = definitions.find(d => d.kpi_name === kpi);
    let qualityQuery = '/quality?dataset=' + def.dataset;
    if (start) qualityQuery += '&start=' + start;
    if (end) qualityQuery += '&end=' + end;
    const [dim, val] = slice.value.split('=');
    if (dim !== 'all') qualityQuery += '&dimension_name=' + encodeURIComponent(dim) +
      '&dimension_value=' + encodeURIComponent(val);
    const signals = (await (await api(qualityQuery + '&limit=300')).json()).items
      .filter(s => s.health < 0.9);
    document.getElementById('quality').innerHTML = signals.length ? '<table><tr><th>day</th>' +
      '<th>signal</th><th>slice</th><th>health</th><th>detail</th></tr>' + signals.map(s =>
      '<tr><td>' + s.signal_date + '</td><td>' + esc(s.signal_name) + '</td><td>' +
      esc(s.slice_dimension + '=' + s.slice_value) + '</td><td>' + fmt(s.health) + '</td><td>' +
      esc(s.detail) + '</td></tr>').join('') + '</table>'
      : '<p class="muted">no signal below 0.9 health in this range</p>';
    msg.textContent = '';
    document.body.dataset.ready = '1';
  }} catch (error) {{ msg.textContent = String(error); document.body.dataset.ready = 'error'; }}
}}
init().catch(error => {{ document.getElementById('msg').textContent = String(error); }});
</script></body></html>"""

UPLOAD_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Score a CSV</title>
<style>{STYLE}</style></head><body>{NAV}<main>
<section><p>Any CSV with a date or timestamp column and numeric columns: every numeric column
is scored by the warehouse's detectors (seasonal baseline, change point, isolation forest, LOF;
the same code as <code>kpi-trust detect</code>).</p>
<input type="file" id="file" accept=".csv,text/csv">
<label>Consensus: detectors that must agree
<input type="range" id="consensus" min="1" max="3" step="1" value="2"></label>
<b id="level">2 (balanced)</b>
<button id="download" disabled>Download anomalies (CSV)</button>
<a href="/dashboard/upload?example=1">try an example</a> <span id="msg"></span></section>
<section id="summary" class="muted">No file yet.</section><div id="charts"></div>
</main><script>{COMMON_JS}
const NAMES = {{1: '1 (sensitive)', 2: '2 (balanced)', 3: '3 (strict)'}};
let text = null, lastRows = [];
async function score() {{
  if (text === null) return;
  const consensus = document.getElementById('consensus').value;
  const msg = document.getElementById('msg'); msg.textContent = 'scoring...';
  try {{
    const body = await (await api('/score/csv?output=json&consensus=' + consensus,
      {{method: 'POST', headers: {{'Content-Type': 'text/csv'}}, body: text}})).json();
    lastRows = body.rows;
    const columns = [...new Set(lastRows.map(r => r.column))];
    const anomalies = lastRows.filter(r => r.is_anomaly);
    document.getElementById('summary').textContent = columns.length + ' column(s), ' +
      lastRows.length + ' scored rows, ' + anomalies.length + ' anomalies at consensus ' +
      consensus + '.';
    const charts = document.getElementById('charts'); charts.innerHTML = '';
    for (const column of columns) {{
      const section = document.createElement('section');
      const rows = lastRows.filter(r => r.column === column);
      const n = rows.filter(r => r.is_anomaly).length;
      section.innerHTML = '<h3>' + esc(column) + ' <span class="muted">(' + n +
        ' anomalies)</span></h3>';
      const svg = document.createElementNS(SVGNS, 'svg');
      svg.setAttribute('width', '100%'); section.appendChild(svg); charts.appendChild(section);
      chart(svg, rows.map(r => ({{t: new Date(r.timestamp), value: r.value,
        expected: r.expected, lower: r.lower, upper: r.upper,
        mark: r.is_anomaly ? 'anomaly' : null,
        markLabel: r.timestamp + ': ' + r.status + ' (' + r.detectors_agreeing +
          ' detectors, score ' + fmt(r.score) + ')'}})), {{trust: false}});
    }}
    document.getElementById('download').disabled = anomalies.length === 0;
    msg.textContent = ''; document.body.dataset.ready = '1';
  }} catch (error) {{ msg.textContent = String(error); document.body.dataset.ready = 'error'; }}
}}
document.getElementById('file').onchange = async event => {{
  const file = event.target.files[0]; if (!file) return;
  text = await file.text(); await score();
}};
document.getElementById('consensus').oninput = event => {{
  document.getElementById('level').textContent = NAMES[event.target.value];
}};
document.getElementById('consensus').onchange = score;
document.getElementById('download').onclick = () => {{
  const anomalies = lastRows.filter(r => r.is_anomaly);
  if (!anomalies.length) return;
  const columns = Object.keys(anomalies[0]);
  const quote = v => {{ const s = v === null ? '' : String(v);
    return /[",\\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }};
  const csv = [columns.join(',')].concat(anomalies.map(r => columns.map(c => quote(r[c]))
    .join(','))).join('\\n') + '\\n';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csv], {{type: 'text/csv'}}));
  link.download = 'anomalies.csv'; link.click();
}};
// ?example=1 scores the example CSV (also how the headless-browser test drives this page).
if (new URLSearchParams(location.search).get('example')) {{
  api('/dashboard/example.csv').then(r => r.text()).then(value => {{ text = value; score(); }});
}}
</script></body></html>"""


def register_pages(app: FastAPI) -> None:
    """Add the dashboard pages to the API app (no auth on the pages: their data calls carry it)."""

    @app.get("/dashboard", include_in_schema=False)
    def dashboard() -> HTMLResponse:
        return HTMLResponse(KPI_PAGE)

    @app.get("/dashboard/upload", include_in_schema=False)
    def upload() -> HTMLResponse:
        return HTMLResponse(UPLOAD_PAGE)

    @app.get("/dashboard/example.csv", include_in_schema=False)
    def example() -> PlainTextResponse:
        return PlainTextResponse(example_csv(), media_type="text/csv")


def example_csv(days: int = 120, seed: int = 3) -> str:
    """A daily series with a weekly cycle and noise, one spike and a level drop: for the page's
    example and its test (any CSV works the same way)."""
    rng = np.random.default_rng(seed)
    day = pd.date_range("2026-01-01", periods=days, freq="D")
    weekly = 1 + 0.15 * np.sin(2 * np.pi * np.arange(days) / 7)
    orders = 1000 * weekly + rng.normal(0, 20, days)
    orders[80] *= 1.6
    orders[100:] *= 0.7
    rate = 0.05 + rng.normal(0, 0.002, days)
    frame = pd.DataFrame({"date": day.date, "orders": orders.round(1), "error_rate": rate.round(4)})
    return frame.to_csv(index=False)
