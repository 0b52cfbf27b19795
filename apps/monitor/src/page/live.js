// The live page: polls /api/snapshot every second and redraws. No framework, no build step.
'use strict';

const COLORS = ['#2680c2', '#e12d39', '#27ab83', '#f0b429', '#8719e0', '#3ebd93', '#cb6e17', '#616e7c'];
const REFRESH_MS = 1000;
const $ = (id) => document.getElementById(id);

function text(testId, value) {
  document.querySelector(`[data-testid="${testId}"]`).textContent = value;
}

function cells(values, className) {
  const row = document.createElement('tr');
  if (className) row.className = className;
  for (const value of values) {
    const cell = document.createElement('td');
    cell.textContent = value;
    row.appendChild(cell);
  }
  return row;
}

/** Draws one polyline per series on a shared time axis; `limit` adds a dashed horizontal line. */
function drawChart(svg, legend, series, fromMs, toMs, limit) {
  const width = 500;
  const height = 220;
  const top = Math.max(1, limit ?? 0, ...series.flatMap((s) => s.points.map(([, v]) => v))) * 1.1;
  const x = (t) => ((t - fromMs) / Math.max(1, toMs - fromMs)) * width;
  const y = (v) => height - (v / top) * height;
  const parts = [`<text x="4" y="12" font-size="11" fill="#7b8794">${Math.round(top)}</text>`];
  if (limit !== undefined) {
    parts.push(
      `<line x1="0" x2="${width}" y1="${y(limit)}" y2="${y(limit)}" stroke="#e12d39" stroke-dasharray="6 4"/>`,
    );
  }
  series.forEach((s, i) => {
    const points = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke-width="2" stroke="${COLORS[i % COLORS.length]}" points="${points}"/>`);
  });
  svg.innerHTML = parts.join('');
  legend.innerHTML = series.map((s, i) => `<i style="background:${COLORS[i % COLORS.length]}"></i>${s.name}`).join('');
}

function render(snapshot) {
  const { counters, history, now, thresholdMs } = snapshot;
  const rewardLag = snapshot.lag.filter((row) => row.group.endsWith('reward-service'));
  const backlog = snapshot.outbox.reduce((sum, o) => sum + o.backlog, 0);
  text('orders', counters.orders.toLocaleString());
  text('packets', counters.packetsGranted.toLocaleString());
  text('granted', (Number(counters.grantedCents) / 100).toLocaleString(undefined, { minimumFractionDigits: 2 }));
  // '-' marks a partition the group never committed to: no lag to add.
  text('lag', rewardLag.reduce((sum, row) => sum + (row.lag === '-' ? 0 : Number(row.lag)), 0).toLocaleString());
  text('backlog', backlog.toLocaleString());
  text('probes', `${counters.probesWritten} / ${counters.probeAlerts}`);
  $('updated').textContent = `updated ${new Date(now).toLocaleTimeString()}`;

  const recentAlert = snapshot.alerts.some((a) => now - a.at < 30_000);
  const stalled = snapshot.stalled.length > 0;
  const blind = snapshot.probeWrites?.blind;
  $('status').textContent = blind
    ? 'blind: probes not written'
    : stalled
      ? 'partition stalled'
      : recentAlert
        ? 'probe alert'
        : 'healthy';
  $('status').className = blind || stalled || recentAlert ? 'alert' : '';

  const from = now - Math.max(60_000, now - (history[0]?.at ?? now));
  const partitions = [...new Set(history.flatMap((s) => Object.keys(s.lag['reward-service'] ?? {})))].sort(
    (a, b) => a - b,
  );
  const lagSeries = partitions.map((p) => ({
    name: `p${p}`,
    points: history.map((s) => [s.at, s.lag['reward-service']?.[p] ?? 0]),
  }));
  drawChart($('lag-chart'), $('lag-legend'), lagSeries, from, now);
  const observers = [...new Set(history.flatMap((s) => Object.keys(s.probeDelayMs)))];
  const probeSeries = observers.map((o) => ({ name: o, points: history.map((s) => [s.at, s.probeDelayMs[o] ?? 0]) }));
  drawChart($('probe-chart'), $('probe-legend'), probeSeries, from, now, thresholdMs);

  const stalledKeys = new Set(snapshot.stalled.map((s) => `${s.group} ${s.topic} ${s.partition}`));
  $('lag-rows').replaceChildren(
    ...snapshot.lag.map((r) =>
      cells(
        [r.group, r.partition, r.currentOffset, r.logEndOffset, r.lag],
        stalledKeys.has(`${r.group} ${r.topic} ${r.partition}`) ? 'stalled' : '',
      ),
    ),
  );
  $('stalled-rows').replaceChildren(
    ...snapshot.stalled.map((s) =>
      cells(
        [s.group, s.topic, s.partition, s.committedOffset, s.lag, `${Math.round(s.stalledForMs / 1000)} s`],
        'stalled',
      ),
    ),
  );
  $('stalled-none').hidden = stalled;
  $('stalled-panel').className = stalled ? 'panel alert' : 'panel';
  $('alert-rows').replaceChildren(
    ...snapshot.alerts.map((a) =>
      cells([new Date(a.at).toLocaleTimeString(), a.observer, a.reason, a.partition, `${a.delayMs} ms`]),
    ),
  );
  const cents = (value) => (Number(value) / 100).toFixed(2);
  $('rule-rows').replaceChildren(
    ...(snapshot.rules ?? []).map((r) =>
      cells([
        r.version,
        new Date(r.effectiveFrom).toLocaleString(),
        r.minItems,
        `${r.percentBasisPoints / 100} %`,
        `${cents(r.minCents)} / ${cents(r.maxCents)}`,
        r.createdBy,
        r.note ?? '',
      ]),
    ),
  );
}

/**
 * The token the snapshot takes (a credential with the `metrics` scope): typed into the form, or given
 * once as `#token=…` (a fragment never reaches the server), then kept for this tab only.
 */
function token() {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem('token', fromFragment);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem('token') ?? '';
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('token', $('token').value);
  $('token').value = '';
});

async function refresh() {
  try {
    const response = await fetch('/api/snapshot', {
      cache: 'no-store',
      headers: { authorization: `Bearer ${token()}` },
    });
    $('token-form').hidden = response.status !== 401 && response.status !== 403;
    if (response.ok) render(await response.json());
    else if ($('token-form').hidden) $('status').textContent = `snapshot failed: HTTP ${response.status}`;
    else $('status').textContent = 'enter a token with the metrics scope';
  } catch (error) {
    $('status').textContent = `monitor unreachable: ${error.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

void refresh();
