'use strict';
// Parley's admin page: polls GET /api/admin/nodes every 2 s, fills the node table and draws one
// uPlot chart per figure with a series per node. Text is set with textContent only; no inline script
// or style attribute, so the page runs under a strict Content-Security-Policy.

const POLL_MILLIS = 2000;
const HISTORY_POINTS = 150; // 5 minutes at one poll every 2 s
const COLORS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395'];

// floor: the least top of the y axis, so that a quiet node's chart does not show fractions of a unit.
const CHARTS = [
  { key: 'connections', title: 'Connections', value: n => n.connections, format: count, floor: 10 },
  { key: 'deliveries', title: 'Deliveries/s (frames written to sockets)', value: n => n.deliveriesPerSecond, format: rate, floor: 5 },
  { key: 'fds', title: 'Open file descriptors', value: n => n.fdOpen < 0 ? null : n.fdOpen, format: count, floor: 10 },
  { key: 'buffered', title: 'Buffered outbound bytes', value: n => n.bufferedBytes, format: bytes, floor: 1024 },
  { key: 'refused', title: 'Handshakes refused/s', value: n => n.refusedPerSecond, format: rate, floor: 5 },
];

const $ = id => document.getElementById(id);

// Time series: times[i] (seconds) and, per node, one array per chart aligned with times.
const timeline = { times: [], nodes: new Map() };
const colorOf = new Map();
let charts = [];
let chartedNodes = '';

function count(v) {
  if (v == null) return '–';
  return Math.round(v).toLocaleString('en-US');
}

function rate(v) {
  if (v == null) return '–';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

function bytes(v) {
  if (v == null || v < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

function duration(seconds) {
  if (seconds < 120) return Math.round(seconds) + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
  return (seconds / 86400).toFixed(1) + ' d';
}

function color(node) {
  if (!colorOf.has(node)) colorOf.set(node, COLORS[colorOf.size % COLORS.length]);
  return colorOf.get(node);
}

function setState(text, kind) {
  const state = $('poll-state');
  state.textContent = text;
  state.className = 'state ' + kind;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderTable(view) {
  const rows = $('node-rows');
  rows.replaceChildren();
  for (const n of view.nodes) {
    const tr = document.createElement('tr');
    tr.dataset.node = n.node;
    const ageSeconds = Math.max(0, (view.at - n.at) / 1000);
    if (ageSeconds > 10) tr.className = 'stale';
    const name = cell(tr, '', 'node');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = color(n.node); // CSSOM, not a style attribute: allowed by the CSP
    name.appendChild(swatch);
    name.appendChild(document.createTextNode(n.node + (n.node === view.node ? ' (this node)' : '')));
    const connections = cell(tr, count(n.connections) + ' / ' + count(n.connectionLimit), 'connections');
    connections.dataset.value = n.connections;
    if (n.connections >= 0.8 * n.connectionLimit) connections.classList.add('hot');
    cell(tr, count(n.users), 'users').dataset.value = n.users;
    const fds = cell(tr, n.fdOpen < 0 ? 'unknown' : count(n.fdOpen) + ' / ' + count(n.fdMax)
        + ' (' + Math.round(100 * n.fdOpen / n.fdMax) + ' %)', 'fds');
    if (n.fdOpen >= 0 && n.fdOpen >= 0.8 * n.fdMax) fds.classList.add('hot');
    cell(tr, bytes(n.bufferedBytes), 'buffered');
    cell(tr, rate(n.deliveriesPerSecond), 'deliveries');
    cell(tr, rate(n.messagesPerSecond), 'messages');
    const refused = cell(tr, count(n.handshakesRefused) + ' (' + rate(n.refusedPerSecond) + '/s)', 'refused');
    if (n.refusedPerSecond > 0) refused.classList.add('hot');
    cell(tr, n.busLagMillis < 0 ? '–' : n.busLagMillis.toFixed(1) + ' ms', 'lag');
    cell(tr, bytes(n.heapUsedBytes) + ' / ' + bytes(n.heapMaxBytes), 'heap');
    cell(tr, duration((n.at - n.startedAt) / 1000), 'uptime');
    cell(tr, ageSeconds.toFixed(0) + ' s ago', 'age');
    rows.appendChild(tr);
  }
}

function renderTotals(view) {
  const sum = f => view.nodes.reduce((total, n) => total + f(n), 0);
  $('total-nodes').textContent = view.nodes.length + (view.registeredNodes > view.nodes.length ? ' of ' + view.registeredNodes : '');
  $('total-connections').textContent = count(sum(n => n.connections));
  $('total-users').textContent = count(sum(n => n.users));
  $('total-deliveries').textContent = rate(sum(n => n.deliveriesPerSecond));
  $('total-messages').textContent = rate(sum(n => n.messagesPerSecond));
  $('total-buffered').textContent = bytes(sum(n => n.bufferedBytes));
  $('cluster-summary').textContent = view.mode + ' · answered by ' + view.node + ' · '
      + new Date(view.at).toLocaleTimeString();
  const warning = $('warning');
  const missing = view.registeredNodes > view.nodes.length
      ? (view.registeredNodes - view.nodes.length) + ' registered node(s) publish no figures. ' : '';
  warning.textContent = missing + (view.warning || '');
  warning.hidden = warning.textContent === '';
}

function record(view) {
  timeline.times.push(view.at / 1000);
  const present = new Set();
  for (const n of view.nodes) {
    present.add(n.node);
    if (!timeline.nodes.has(n.node)) {
      // A node seen for the first time: no values for the earlier points.
      const series = {};
      for (const chart of CHARTS) series[chart.key] = new Array(timeline.times.length - 1).fill(null);
      timeline.nodes.set(n.node, series);
    }
    const series = timeline.nodes.get(n.node);
    for (const chart of CHARTS) series[chart.key].push(chart.value(n));
  }
  for (const [node, series] of timeline.nodes) {
    if (!present.has(node)) for (const chart of CHARTS) series[chart.key].push(null);
  }
  if (timeline.times.length > HISTORY_POINTS) {
    timeline.times.shift();
    for (const series of timeline.nodes.values()) for (const chart of CHARTS) series[chart.key].shift();
  }
  for (const [node, series] of timeline.nodes) {
    if (series.connections.every(v => v == null)) timeline.nodes.delete(node); // gone for the whole window
  }
}

function chartWidth() {
  const first = document.querySelector('#charts .chart');
  return Math.max(300, (first ? first.clientWidth : 480) - 16); // the box's padding, and a margin
}

function buildCharts() {
  for (const chart of charts) chart.plot.destroy();
  const container = $('charts');
  container.replaceChildren();
  const nodes = [...timeline.nodes.keys()];
  charts = CHARTS.map(def => {
    const box = document.createElement('div');
    box.className = 'chart';
    box.dataset.chart = def.key;
    container.appendChild(box);
    const opts = {
      title: def.title,
      width: 480,
      height: 220,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(def.floor, max * 1.1)] } },
      axes: [{}, { size: 70, values: (u, values) => values.map(v => def.format(v)) }],
      series: [{}].concat(nodes.map(node => ({ label: node, stroke: color(node), width: 2, spanGaps: false,
        value: (u, v) => def.format(v) }))),
    };
    return { def, nodes, plot: new uPlot(opts, data(def, nodes), box) };
  });
  const width = chartWidth();
  for (const chart of charts) chart.plot.setSize({ width, height: 220 });
  chartedNodes = nodes.join(',');
}

function data(def, nodes) {
  return [timeline.times.slice()].concat(nodes.map(node => timeline.nodes.get(node)[def.key].slice()));
}

function renderCharts() {
  if (typeof uPlot === 'undefined') return;
  if ([...timeline.nodes.keys()].join(',') !== chartedNodes) {
    buildCharts();
    return;
  }
  for (const chart of charts) chart.plot.setData(data(chart.def, chart.nodes));
}

async function poll() {
  try {
    const response = await fetch('/api/admin/nodes', { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) {
      setState('not logged in', 'failed');
      $('warning').textContent = 'Log in first (on the chat page), as a user listed in parley.admins.';
      $('warning').hidden = false;
      return;
    }
    if (response.status === 403) {
      setState('forbidden', 'failed');
      $('warning').textContent = 'This user is not an admin (parley.admins).';
      $('warning').hidden = false;
      return;
    }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const view = await response.json();
    record(view);
    renderTotals(view);
    renderTable(view);
    renderCharts();
    setState('live', 'live');
  } catch (e) {
    setState('unreachable: ' + e.message, 'failed');
  } finally {
    setTimeout(poll, POLL_MILLIS);
  }
}

async function csrfToken() {
  const cookie = document.cookie.split('; ').find(c => c.startsWith('XSRF-TOKEN='));
  if (cookie) return decodeURIComponent(cookie.substring('XSRF-TOKEN='.length));
  const response = await fetch('/api/csrf', { credentials: 'same-origin' });
  return (await response.json()).token;
}

async function revoke(event) {
  event.preventDefault();
  const user = $('revoke-user').value.trim();
  const result = $('revoke-result');
  result.className = '';
  result.textContent = 'revoking ' + user + '…';
  try {
    const response = await fetch('/api/admin/users/' + encodeURIComponent(user) + '/revoke', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': await csrfToken() },
    });
    const body = await response.json();
    if (!response.ok) {
      result.className = 'error';
      result.textContent = body.message || ('HTTP ' + response.status);
      return;
    }
    result.textContent = body.user + ' signed out everywhere: ' + body.httpSessions + ' HTTP session(s) and '
        + body.tokenLogins + ' token login(s) ended; their sockets are closing on every node.';
  } catch (e) {
    result.className = 'error';
    result.textContent = 'failed: ' + e.message;
  }
}

window.addEventListener('resize', () => {
  const width = chartWidth();
  for (const chart of charts) chart.plot.setSize({ width, height: 220 });
});
$('revoke-form').addEventListener('submit', revoke);
poll();
