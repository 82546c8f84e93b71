// What a person must learn from a finished run, computed once so that mail, webhook and ping say the same thing.
import type { SkippedPath } from '../layout/manifest.js';
import type { RunReport } from './run-report.js';

/** One artifact as notifications describe it. */
export interface AssetSummary {
  /** `asset` or `asset/label` (a database of a mysql asset). */
  name: string;
  status: string;
  /** Empty when nothing was stored. */
  key: string;
  bytes_stored: number;
  /** Paths left out (listed + omitted). */
  skipped: number;
  first_skipped?: SkippedPath;
  error?: string;
}

/** The facts of a run shared by every channel. */
export interface RunSummary {
  host: string;
  run_id: string;
  /** The report's status: `ok`, `partial`, `failed`, `interrupted`. */
  status: string;
  exit_code: number;
  ok: boolean;
  total: number;
  failed: number;
  assets: AssetSummary[];
  manifest_key?: string;
  /** The run-level error (e.g. the manifest could not be written). */
  error?: string;
  /** With several destinations: how the run went at each (name, status, manifest, error). */
  destinations?: RunReport['destinations'];
  /** `[backup-agent] web-01: FAILED (2 of 5 assets)`. */
  subject: string;
  /** One line for chat: subject plus the first failure reasons. */
  headline: string;
}

const MAX_HEADLINE_ERRORS = 3;

/** Summarises `report` (pure; never throws). A run is ok only with exit code 0. */
export function summarizeRun(report: RunReport): RunSummary {
  const assets: AssetSummary[] = report.artifacts.map((a) => ({
    name: a.label ? `${a.asset}/${a.label}` : a.asset,
    status: a.status,
    key: a.status === 'ok' || a.status === 'partial' ? a.key : '',
    bytes_stored: a.bytes_stored,
    skipped: a.skipped.length + a.omitted,
    ...(a.skipped[0] ? { first_skipped: a.skipped[0] } : {}),
    ...(a.error ? { error: a.error } : {}),
  }));
  const failed = assets.filter((a) => a.status === 'failed').length;
  const counts = failed > 0 ? ` (${failed} of ${assets.length} asset${assets.length === 1 ? '' : 's'})` : '';
  const subject = `[backup-agent] ${report.host}: ${shout(report.status)}${counts}`;
  const reasons = [...assets.flatMap((a) => (a.error ? [a.error] : [])), ...(report.error ? [report.error] : [])];
  const more = reasons.length > MAX_HEADLINE_ERRORS ? ` (+${reasons.length - MAX_HEADLINE_ERRORS} more)` : '';
  const headline =
    reasons.length === 0 ? subject : `${subject}: ${reasons.slice(0, MAX_HEADLINE_ERRORS).join('; ')}${more}`;
  return {
    host: report.host,
    run_id: report.run_id,
    status: report.status,
    exit_code: report.exit_code,
    ok: report.exit_code === 0,
    total: assets.length,
    failed,
    assets,
    subject,
    headline,
    ...(report.manifest_key ? { manifest_key: report.manifest_key } : {}),
    ...(report.error ? { error: report.error } : {}),
    ...(report.destinations ? { destinations: report.destinations } : {}),
  };
}

/** The plain-text body of the notification mail: status, failures with reasons, skips, keys, manifest, run id. */
export function formatRunText(summary: RunSummary, report: RunReport): string {
  const out = [
    `backup-agent on ${summary.host}: ${shout(summary.status)} (exit ${summary.exit_code})`,
    `run ${summary.run_id}, tier ${report.tier}, ${report.started_at} to ${report.finished_at}`,
    '',
  ];
  const failures = summary.assets.filter((a) => Boolean(a.error) || a.status === 'failed');
  if (failures.length > 0) {
    out.push(`Errors (${summary.failed} of ${summary.total} failed):`);
    for (const a of failures) out.push(`  ${a.name} [${a.status}]: ${a.error ?? 'no reason recorded'}`);
    out.push('');
  }
  if (summary.error) out.push(`Run error: ${summary.error}`, '');
  const skipped = summary.assets.filter((a) => a.skipped > 0);
  if (skipped.length > 0) {
    out.push('Skipped paths:');
    for (const { name, skipped: count, first_skipped: first } of skipped) {
      out.push(`  ${name}: ${count} skipped${first ? `, first: ${first.path} (${first.reason})` : ''}`);
    }
    out.push('');
  }
  const stored = summary.assets.filter((a) => a.key);
  out.push(stored.length > 0 ? 'Written:' : 'Written: nothing');
  for (const a of stored) out.push(`  ${a.name} [${a.status}] ${a.key} (${a.bytes_stored} bytes)`);
  if (summary.destinations) {
    out.push('', 'Destinations:');
    for (const d of summary.destinations)
      out.push(`  ${d.name} [${d.status}] ${d.location}: manifest ${d.manifest_key ?? 'not written'}`);
  }
  out.push('', `Manifest: ${summary.manifest_key ?? 'not written (nothing of this run is a restorable backup)'}`);
  return `${out.join('\n')}\n`;
}

/** A status as subjects show it: `FAILED`, `TIMED OUT`. */
function shout(status: string): string {
  return status.toUpperCase().replaceAll('_', ' ');
}
