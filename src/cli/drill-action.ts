// `backup-agent drill`: restores the newest complete backup of each selected host and asset into a
// throwaway target and checks it; prints the verdicts (or JSON), keeps the last results, writes the drill
// metrics and notifies like `run`. Exit 0 when every drill passed, 1 otherwise, 130 when interrupted.
import { drillBackups, type AssetDrill } from '../catalog/drill-backups.js';
import { newRecord, type ArtifactRecord } from '../layout/manifest.js';
import { drillMetricsPath, writeDrillMetrics } from '../notify/drill-metrics.js';
import {
  drillResultsPath,
  mergeDrillResults,
  readDrillResults,
  writeDrillResults,
  type DrillRecord,
} from '../notify/drill-results.js';
import { notifyFinished } from '../notify/notify.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, parseSince, type OperatorContext, type OperatorOptions } from './operator-context.js';

export interface DrillCommandOptions extends OperatorOptions {
  since: string;
  host?: string;
  asset?: string;
  json?: boolean;
  results?: string;
}

/** Runs the drills; see the file comment for the exit codes. */
export async function drillAction(global: GlobalOptions, options: DrillCommandOptions): Promise<number> {
  let context: OperatorContext | undefined;
  try {
    const since = parseSince(options.since);
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal, config, logger } = context;
    const started = new Date();
    let result;
    try {
      result = await drillBackups(store, decryptor, {
        prefix,
        since,
        signal,
        ...(options.host ? { host: options.host } : {}),
        ...(options.asset ? { asset: options.asset } : {}),
        onStart: (host, asset, run) =>
          logger.info(`drilling ${run.type} "${asset}" of ${host}, run of ${run.started_at}`, {
            keys: run.keys,
          }),
      });
    } catch (error) {
      if (signal.aborted) {
        logger.warn('drill interrupted: the throwaway server was stopped and the scratch directory removed');
        return ExitCode.INTERRUPTED;
      }
      throw error;
    }
    const { drills, unreadable } = result;
    // The reasons also go to the log: a failed drill under --json or in a journal says why without the report.
    for (const d of drills.filter((one) => !one.ok))
      logger.error(`drill of ${d.type} "${d.asset}" of ${d.host} failed: ${d.problems.join('; ')}`, { keys: d.keys });
    for (const message of unreadable) logger.error(`drill: unreadable manifest: ${message}`);
    const ok = drills.length > 0 && drills.every((d) => d.ok) && unreadable.length === 0;
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ ok, since: since.toISOString(), drills, unreadable_manifests: unreadable }, null, 2)}\n`,
      );
    else process.stdout.write(formatDrills(drills, unreadable, since));
    const records = drills.map(toRecord);
    const resultsPath = options.results ?? drillResultsPath(config.state_dir);
    try {
      const merged = mergeDrillResults(await readDrillResults(resultsPath), records);
      await writeDrillResults(resultsPath, merged);
      if (config.metrics) await writeDrillMetrics(drillMetricsPath(config.metrics.textfile), merged.drills);
    } catch (error) {
      logger.warn(`drill: cannot keep the results (${resultsPath}) or write the metrics: ${(error as Error).message}`);
    }
    const exitCode = ok ? ExitCode.OK : ExitCode.FAILED;
    await notifyFinished(
      {
        run_id: `drill-${started.toISOString()}`,
        host: options.host ?? config.host,
        tier: 'drill',
        started_at: started.toISOString(),
        finished_at: new Date().toISOString(),
        dry_run: false,
        status: ok ? 'ok' : 'failed',
        exit_code: exitCode,
        artifacts: drills.map(toArtifact),
        notes: [],
        ...(unreadable.length > 0 ? { error: `unreadable manifests: ${unreadable.join('; ')}` } : {}),
        ...(drills.length === 0 ? { error: `no backups found since ${since.toISOString()}` } : {}),
      },
      config,
      logger,
    );
    return exitCode;
  } finally {
    context?.dispose();
  }
}

function toRecord(d: AssetDrill): DrillRecord {
  const { checks: _checks, keys: _keys, ...rest } = d;
  return rest;
}

/** A drill as the run notifications describe an artifact: its asset, its key, and why it failed. */
function toArtifact(d: AssetDrill): ArtifactRecord {
  const record = newRecord({
    asset: `${d.host}/${d.asset}`,
    type: d.type,
    key: d.keys[0] ?? '',
    location: '',
    compression: '',
  });
  record.status = d.ok ? 'ok' : 'failed';
  if (!d.ok) record.error = d.problems.join('; ');
  return record;
}

function formatDrills(drills: AssetDrill[], unreadable: string[], since: Date): string {
  const lines: string[] = [];
  for (const d of drills) {
    const what = `${d.host} ${d.type} "${d.asset}"${d.backup_started_at ? ` (run of ${d.backup_started_at})` : ''}`;
    if (d.ok) lines.push(`PASS  ${what}: restored in ${d.restore_seconds.toFixed(1)} s; ${d.checks.join('; ')}`);
    else lines.push(`FAIL  ${what}: ${d.problems.join('; ')}`);
  }
  for (const message of unreadable) lines.push(`FAIL  manifest: ${message}`);
  if (drills.length === 0) lines.push(`FAIL  no backups found since ${since.toISOString()}`);
  const failed = drills.filter((d) => !d.ok).length + unreadable.length;
  lines.push(
    `drilled ${drills.length} asset${drills.length === 1 ? '' : 's'}: ${failed === 0 && drills.length > 0 ? 'all passed' : `${failed} failed`}`,
  );
  return `${lines.join('\n')}\n`;
}
