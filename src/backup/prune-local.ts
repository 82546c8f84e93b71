// Applies retention to a local destination after a successful run: S3 expires old backups with
// lifecycle rules, a directory has nobody else to do it. Removes this host's expired runs (manifest
// first, so an interrupted removal never leaves a manifest pointing at nothing) and their empty
// folders; a failure is a warning, never a failed backup.
import { rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readManifest } from '../catalog/manifest-catalog.js';
import type { LocalDestinationConfig } from '../config/schema.js';
import { tierNames, type Tier } from '../config/tiers.js';
import { createLocalStore } from '../destinations/local-store.js';
import { groupRuns, planRetention, type RetentionOutcome, type StoredRun } from '../layout/retention-plan.js';
import type { Logger } from '../shared/logger.js';
import { must } from '../shared/must.js';

export interface PruneOptions {
  host: string;
  retention: Partial<Record<Tier, number>>;
  now: Date;
  /** The run just made (or planned): its id (`tier/day/stamp`) and the assets it stored completely. */
  current: { id: string; tier: Tier; started: Date; assets: string[] };
  dryRun: boolean;
  signal: AbortSignal;
  logger: Logger;
}

/** Lists this host's runs under the destination, decides with {@link planRetention}, and removes the expired ones. */
export async function pruneLocal(config: LocalDestinationConfig, options: PruneOptions): Promise<RetentionOutcome> {
  const outcome: RetentionOutcome = { removed: [], kept: [], warnings: [] };
  const store = createLocalStore(config.path);
  const keys: string[] = [];
  for (const tier of tierNames) {
    for await (const object of store.list(`${config.prefix}${tier}/`, { signal: options.signal }))
      keys.push(object.key);
  }
  const runs = groupRuns(keys, config.prefix, options.host);
  for (const run of runs) await readCompleteness(run, store, options, outcome);
  const { current } = options;
  const stored = runs.find((r) => r.id === current.id);
  // The run just written is complete for its assets even when its manifest is encrypted; a dry run's is only planned.
  if (stored) stored.complete = new Set(current.assets);
  else
    runs.push({
      id: current.id,
      tier: current.tier,
      started: current.started,
      artifactKeys: [],
      assets: new Set(current.assets),
      complete: new Set(current.assets),
    });

  const plan = planRetention(runs, options.retention, options.now);
  outcome.kept = plan.keep.map(({ run, reason }) => ({ run: run.id, reason }));
  for (const { run, reason } of plan.remove) {
    const runKeys = [...(run.manifestKey ? [run.manifestKey] : []), ...run.artifactKeys];
    if (!options.dryRun && !(await removeRun(run, config, (key) => store.locate(key), outcome))) continue;
    outcome.removed.push({ run: run.id, keys: runKeys, reason });
    if (!options.dryRun)
      options.logger.info(`retention: removed ${run.id} (${runKeys.length} files): ${reason}`, { keys: runKeys });
  }
  for (const warning of outcome.warnings) options.logger.warn(`retention: ${warning}`);
  return outcome;
}

/** Sets `run.complete` from its manifest: the assets whose every artifact is ok; unknown when encrypted or unreadable. */
async function readCompleteness(
  run: StoredRun,
  store: ReturnType<typeof createLocalStore>,
  options: PruneOptions,
  outcome: RetentionOutcome,
): Promise<void> {
  if (run.manifestKey === undefined) return;
  if (run.manifestKey.endsWith('.age')) {
    run.complete = undefined;
    return;
  }
  const [, day] = run.id.split('/');
  try {
    const manifest = await readManifest(
      store,
      {
        key: run.manifestKey,
        tier: run.tier,
        day: must(day, `the day of run ${run.id}`),
        host: options.host,
        started: run.started,
        encrypted: false,
      },
      undefined,
      options.signal,
    );
    const failed = new Set(manifest.artifacts.filter((a) => a.status !== 'ok').map((a) => a.asset));
    run.complete = new Set(manifest.artifacts.map((a) => a.asset).filter((asset) => !failed.has(asset)));
  } catch (error) {
    run.complete = undefined;
    outcome.warnings.push(
      `cannot read manifest ${store.locate(run.manifestKey)} (${(error as Error).message}): its run is kept while it may be the newest complete backup`,
    );
  }
}

/** Removes the manifest, then the artifacts, then folders left empty; false when the manifest stays (the run is kept whole). */
async function removeRun(
  run: StoredRun,
  config: LocalDestinationConfig,
  locate: (key: string) => string,
  outcome: RetentionOutcome,
): Promise<boolean> {
  const failure = (path: string, error: unknown) =>
    `cannot remove ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  if (run.manifestKey) {
    const path = locate(run.manifestKey);
    try {
      await unlink(path);
    } catch (error) {
      outcome.warnings.push(`${failure(path, error)}; the run ${run.id} is kept`);
      return false;
    }
  }
  const folders = new Set<string>();
  for (const key of run.artifactKeys) {
    const path = locate(key);
    await unlink(path).catch((error: unknown) =>
      outcome.warnings.push(`${failure(path, error)} (no longer a backup: its manifest is gone)`),
    );
    folders.add(dirname(path));
  }
  if (run.manifestKey) folders.add(dirname(locate(run.manifestKey)));
  // asset -> host -> day folders, deepest first; a folder that still holds something stays.
  const tierFolder = locate(`${config.prefix}${run.tier}`);
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    for (let dir = folder; dir.length > tierFolder.length && dir.startsWith(tierFolder); dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
  return true;
}
