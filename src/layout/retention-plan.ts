// Retention for destinations the host prunes itself (local directories): which stored runs have
// outlived their tier, as a pure function returning reasons. The newest complete backup of every
// asset is kept whatever its age; a run is removed whole (manifest and artifacts) or not at all.
import { isTier, type Tier } from '../config/tiers.js';
import { stampTime } from './keys.js';

const DAY_MS = 86_400_000;
/** `20261122T031500Z`, the run's start at the head of every key's file name. */
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/;

/** The objects of one run of this host, grouped from their keys (`{prefix}{tier}/{day}/{host}/...{stamp}...`). */
export interface StoredRun {
  /** `daily/2026-11-22/20261122T031500Z`: tier, day and start, unique per run. */
  id: string;
  tier: Tier;
  started: Date;
  manifestKey?: string;
  artifactKeys: string[];
  /** Assets with an artifact in this run. */
  assets: Set<string>;
  /**
   * Assets the manifest records as completely stored (every artifact ok); empty without a manifest
   * (artifacts without one are not a backup); undefined when the manifest cannot be read here (age-encrypted).
   */
  complete: Set<string> | undefined;
}

/** A run that is (or in a dry run, would be) removed, or an expired one that is kept, and why. */
export interface RetentionDecision {
  run: StoredRun;
  reason: string;
}

/** What retention did (or, in a dry run, would do) after a run. */
export interface RetentionOutcome {
  /** Runs removed (dry run: to be removed): their keys and why. */
  removed: { run: string; keys: string[]; reason: string }[];
  /** Expired runs kept because they hold the newest complete backup of an asset. */
  kept: { run: string; reason: string }[];
  /** What could not be read or removed; the backup's result is unaffected. */
  warnings: string[];
  /** Why nothing was pruned (a partial run). */
  skipped?: string;
}

export interface RetentionPlan {
  remove: RetentionDecision[];
  /** Expired runs kept because they hold the newest complete backup of an asset. */
  keep: RetentionDecision[];
}

/**
 * Groups keys under `prefix` into this host's runs; keys of other hosts, of unknown tiers and foreign
 * files are ignored (never removed).
 */
export function groupRuns(keys: string[], prefix: string, host: string): StoredRun[] {
  const runs = new Map<string, StoredRun>();
  for (const key of keys) {
    // A manifest is `{tier}/{day}/{host}/{name}`, an artifact `{tier}/{day}/{host}/{asset}/{name}`.
    const [tier, day, keyHost, asset, file, ...deeper] = key.slice(prefix.length).split('/');
    if (!key.startsWith(prefix) || keyHost !== host || !isTier(tier) || asset === undefined) continue;
    const isManifest = file === undefined && /\.manifest\.json(\.age)?$/.test(asset);
    if (!isManifest && (file === undefined || deeper.length > 0)) continue;
    const m = STAMP.exec(file ?? asset);
    if (!m) continue;
    const id = `${tier}/${day}/${m[0]}`;
    const run = runs.get(id) ?? {
      id,
      tier,
      started: stampTime(m[0]),
      artifactKeys: [],
      assets: new Set<string>(),
      complete: new Set<string>(),
    };
    if (isManifest) run.manifestKey = key;
    else {
      run.artifactKeys.push(key);
      run.assets.add(asset);
    }
    runs.set(id, run);
  }
  return [...runs.values()];
}

/**
 * Decides which runs go: a run whose age (from its start) exceeds its tier's days in `retention`,
 * unless it holds the newest complete backup of one of its assets, or a run of unknown completeness
 * (encrypted manifest) at least as new as that. Tiers not in `retention` are kept (as a dropped
 * lifecycle rule keeps S3 objects). Runs are compared by start time; `now` decides the age.
 */
export function planRetention(runs: StoredRun[], retention: Partial<Record<Tier, number>>, now: Date): RetentionPlan {
  const protectedBy = new Map<StoredRun, string[]>();
  const assets = new Set(runs.flatMap((r) => [...r.assets]));
  for (const asset of assets) {
    const holding = runs
      .filter((r) => r.assets.has(asset) || r.complete?.has(asset))
      .sort((a, b) => b.started.getTime() - a.started.getTime());
    for (const run of holding) {
      if (run.complete !== undefined && !run.complete.has(asset)) continue;
      protectedBy.set(run, [...(protectedBy.get(run) ?? []), asset]);
      // The newest known-complete run ends the search; unknown ones newer than it may be the newest complete.
      if (run.complete !== undefined) break;
    }
  }
  const plan: RetentionPlan = { remove: [], keep: [] };
  for (const run of [...runs].sort((a, b) => a.started.getTime() - b.started.getTime())) {
    const days = retention[run.tier];
    const age = (now.getTime() - run.started.getTime()) / DAY_MS;
    if (days === undefined || age <= days) continue;
    const expired = `${run.tier} run of ${run.started.toISOString().slice(0, 16).replace('T', ' ')}Z is ${Math.floor(age)} days old; ${run.tier} keeps ${days} days`;
    const holds = protectedBy.get(run);
    if (holds) {
      const known = run.complete !== undefined;
      plan.keep.push({
        run,
        reason: `${expired}, but it holds the newest ${known ? '' : 'possibly '}complete backup of ${holds.join(', ')}`,
      });
    } else {
      plan.remove.push({
        run,
        reason: run.manifestKey === undefined ? `${expired} (artifacts without a manifest: not a backup)` : expired,
      });
    }
  }
  return plan;
}
