// The fleet report as one self-contained HTML page: inline CSS and SVG, no script, no external asset,
// so it can be mailed, archived or served as a static file. Every value from a manifest is escaped.
import { formatBytes } from '../config/sizes.js';
import type { FleetRow } from './fleet-status.js';

const COLORS = { green: '#1a7f37', amber: '#b7791f', red: '#cf222e' } as const;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** `3h12m` / `2d4h` for an age in seconds. */
function age(seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}

/** A bar per day, scaled to the largest day; days without a backup drawn as a red tick. */
export function sizeChart(days: FleetRow['daily_bytes']): string {
  const [width, height, gap] = [4, 28, 1];
  const max = Math.max(1, ...days.map((d) => d.bytes));
  const bars = days
    .map((d, i) => {
      const x = i * (width + gap);
      if (d.bytes === 0)
        return `<rect x="${x}" y="${height - 2}" width="${width}" height="2" fill="#cf222e"><title>${d.day}: nothing stored</title></rect>`;
      const h = Math.max(2, Math.round((d.bytes / max) * height));
      return `<rect x="${x}" y="${height - h}" width="${width}" height="${h}" fill="#57606a"><title>${d.day}: ${formatBytes(d.bytes)}</title></rect>`;
    })
    .join('');
  const w = Math.max(1, days.length * (width + gap));
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" role="img" aria-label="stored bytes per day">${bars}</svg>`;
}

function row(r: FleetRow): string {
  const e = escapeHtml;
  const last = r.last_success_at
    ? `${e(r.last_success_at.replace(/\.\d+Z$/, 'Z'))}<br><small>${age(r.age_seconds ?? 0)} ago</small>`
    : 'never';
  const latest = [...r.daily_bytes].reverse().find((d) => d.bytes > 0);
  const drill = r.drill
    ? `<span class="${r.drill.ok ? 'pass' : 'fail'}">${r.drill.ok ? 'passed' : 'FAILED'}</span> ${e(r.drill.drilled_at.replace(/\.\d+Z$/, 'Z'))}<br><small>restore ${r.drill.restore_seconds.toFixed(1)} s</small>${r.drill.ok ? '' : `<br><small>${e(r.drill.problems.join('; '))}</small>`}`
    : '<small>never drilled</small>';
  const gaps = r.gaps.length === 0 ? '<small>none</small>' : `<small>${r.gaps.map(e).join(', ')}</small>`;
  return `<tr data-host="${e(r.host)}" data-asset="${e(r.asset)}" data-health="${r.health}">
<td><span class="dot" style="background:${COLORS[r.health]}" title="${r.health}"></span>${r.health}</td>
<td>${e(r.host)}</td><td>${e(r.asset)} <small>${e(r.type)}</small></td>
<td>${last}</td><td>${e(r.last_status)}</td>
<td>${sizeChart(r.daily_bytes)}<br><small>${latest ? formatBytes(latest.bytes) : '-'}</small></td>
<td>${drill}</td><td>${gaps}</td>
<td><small>${e(r.reasons.join('; ')) || 'ok'}</small></td>
</tr>`;
}

/** The whole page for `rows`; `generatedAt` and `alertAfter` (ms) are shown in its header. */
export function renderFleetReport(rows: FleetRow[], generatedAt: Date, alertAfter: number, windowDays: number): string {
  const counts = (['red', 'amber', 'green'] as const).map((h) => `${rows.filter((r) => r.health === h).length} ${h}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backup-agent fleet report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1f2328}
h1{font-size:1.3em;margin:0 0 .3em}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.4em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
tr[data-health=red]{background:#ffebe9}
tr[data-health=amber]{background:#fff8c5}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.4em;vertical-align:middle}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
small{color:#57606a}
</style></head>
<body>
<h1>backup-agent fleet report</h1>
<p>Generated ${escapeHtml(generatedAt.toISOString())}; alert_after ${age(alertAfter / 1000)}; last ${windowDays} days. ${counts.join(', ')}.</p>
<table>
<thead><tr><th>health</th><th>host</th><th>asset</th><th>last success</th><th>last run</th><th>stored per day</th><th>last drill</th><th>gaps</th><th>why</th></tr></thead>
<tbody>
${rows.map(row).join('\n')}
</tbody></table>
${rows.length === 0 ? '<p>No backups found in the window.</p>' : ''}
</body></html>
`;
}
