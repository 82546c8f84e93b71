// Renders a run report as the per-asset table people read after `run`.
import { formatBytes } from '../config/sizes.js';
import type { RunReport } from '../notify/run-report.js';

/** The human summary of a run: one row per artifact, then errors, skips and the manifest key. */
export function formatSummary(report: RunReport): string {
  const rows = report.artifacts.map((a) => [
    a.label ? `${a.asset}/${a.label}` : a.asset,
    a.status,
    report.dry_run ? '-' : formatBytes(a.bytes_read),
    report.dry_run ? '-' : formatBytes(a.bytes_stored),
    report.dry_run ? '-' : `${(a.duration_ms / 1000).toFixed(1)}s`,
    a.key || '-',
  ]);
  const header = ['ASSET', 'STATUS', 'READ', 'STORED', 'TIME', 'KEY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(header), ...rows.map(line)];
  // `check` counts file data; READ is what was compressed, so the two differ by tar's headers and padding.
  if (!report.dry_run && report.artifacts.length > 0)
    out.push(
      'READ = bytes compressed (files: the tar archive, i.e. file data + tar headers and padding; mysql: the SQL dump); STORED = bytes written',
    );
  for (const a of report.artifacts) {
    if (a.error) out.push(`  ${a.asset}: ${a.error}`);
    const skipped = a.skipped.length + (report.dry_run ? 0 : a.omitted);
    if (skipped > 0)
      out.push(`  ${a.asset}: ${skipped} path(s) skipped, first: ${a.skipped[0]?.path} (${a.skipped[0]?.reason})`);
    if (a.warnings.length > 0)
      out.push(
        `  ${a.asset}: ${a.warnings.length} warning(s), first: ${a.warnings[0]?.path} (${a.warnings[0]?.reason})`,
      );
  }
  const retention = report.retention;
  if (retention) {
    out.push(
      ...retention.removed.map(
        (r) =>
          `${report.dry_run ? '  plan: retention would remove' : 'pruned'} ${r.run} (${r.keys.length} file${r.keys.length === 1 ? '' : 's'}): ${r.reason}`,
      ),
    );
    out.push(
      ...retention.kept.map((r) => `${report.dry_run ? '  plan: retention keeps' : 'kept'} ${r.run}: ${r.reason}`),
    );
    out.push(...retention.warnings.map((w) => `retention warning: ${w}`));
    if (retention.skipped) out.push(`retention: nothing pruned: ${retention.skipped}`);
  }
  if (report.dry_run) out.push(...report.notes.map((n) => `  plan: ${n}`), 'dry run: nothing was uploaded');
  else if (report.destinations)
    for (const d of report.destinations)
      out.push(
        `destination "${d.name}" (${d.location}): ${d.status}${d.manifest_key ? `, manifest ${d.manifest_key}` : ', no manifest'}`,
      );
  else if (report.manifest_key) out.push(`manifest: ${report.manifest_key}`);
  if (report.error) out.push(`error: ${report.error}`);
  out.push(`status: ${report.status} (exit ${report.exit_code})`);
  return `${out.join('\n')}\n`;
}
