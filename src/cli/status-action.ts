// `backup-agent status`: the last run per asset and the age of its last success, for people and
// monitoring checks (exit 1 when any configured asset, or with several destinations any destination, has
// no success within alert_after).
import { destinationsOf, selectDestination } from '../config/destinations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { ExitCode } from '../shared/exit-codes.js';
import { formatAge } from '../shared/format-age.js';
import { sourceFor } from '../sources/registry.js';
import { readLastRun, lastRunPath, type LastRunState } from '../notify/last-run.js';
import type { StreamStatus } from '../sources/source.js';
import type { GlobalOptions } from './global-options.js';

export interface StatusCommandOptions {
  json?: boolean;
  /** With several destinations: only this one's line (default: every destination's). */
  destination?: string;
}

export interface AssetHealth {
  asset: string;
  /** A followed asset (a stream, e.g. mysql-binlog): its state instead of runs. */
  stream?: StreamStatus;
  last_status: string;
  last_run_at?: string;
  last_success_at?: string;
  /** Seconds since the last success; undefined when it never succeeded. */
  success_age_seconds?: number;
  healthy: boolean;
  last_error?: string;
}

/** Prints per-asset health; exit 0 when every configured asset succeeded within alert_after, else 1. */
export async function statusAction(
  global: GlobalOptions,
  options: StatusCommandOptions,
  now = new Date(),
): Promise<number> {
  const { config } = await loadConfig(global.config);
  const state = await readLastRun(config.state_dir);
  const runHealth = (name: string): AssetHealth => {
    const a = state?.assets[name];
    const age = a?.last_success_at ? Math.max(0, (now.getTime() - Date.parse(a.last_success_at)) / 1000) : undefined;
    return {
      asset: name,
      last_status: a?.last_status ?? 'never run',
      ...(a?.last_run_at ? { last_run_at: a.last_run_at } : {}),
      ...(a?.last_success_at ? { last_success_at: a.last_success_at } : {}),
      ...(age !== undefined ? { success_age_seconds: Math.round(age) } : {}),
      healthy: age !== undefined && age * 1000 <= config.alert_after,
      ...(a?.last_error ? { last_error: a.last_error } : {}),
    };
  };
  const health: AssetHealth[] = await Promise.all(
    config.assets.map((asset) => {
      const source = sourceFor(asset);
      return source.streamStatus
        ? streamHealth(asset.name, source.streamStatus(asset, config.state_dir, now))
        : Promise.resolve(runHealth(asset.name));
    }),
  );
  const destinations = destinationHealth(config, state, options.destination, now);
  const healthy = health.every((h) => h.healthy) && (destinations ?? []).every((d) => d.healthy);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ healthy, alert_after_seconds: config.alert_after / 1000, state_file: lastRunPath(config.state_dir), assets: health, ...(destinations ? { destinations } : {}) }, null, 2)}\n`,
    );
  } else {
    for (const h of health) {
      if (h.stream) {
        process.stdout.write(`${h.healthy ? 'OK  ' : 'FAIL'}  ${h.asset}: ${h.stream.detail}\n`);
        continue;
      }
      const age =
        h.success_age_seconds === undefined
          ? 'no successful backup recorded'
          : `last success ${formatAge(h.success_age_seconds)} ago`;
      process.stdout.write(
        `${h.healthy ? 'OK  ' : 'FAIL'}  ${h.asset}: ${age}; last run ${h.last_status}${h.last_error ? `: ${h.last_error}` : ''}\n`,
      );
    }
    for (const d of destinations ?? []) {
      const age =
        d.success_age_seconds === undefined
          ? 'no complete copy recorded'
          : `last complete copy ${formatAge(d.success_age_seconds)} ago`;
      process.stdout.write(
        `${d.healthy ? 'OK  ' : 'FAIL'}  destination "${d.destination}": ${age}; last run ${d.last_status}${d.last_error ? `: ${d.last_error}` : ''}\n`,
      );
    }
    process.stdout.write(
      healthy
        ? `all assets backed up within alert_after${destinations ? ', to every destination' : ''}\n`
        : `some assets have no successful backup within ${formatAge(config.alert_after / 1000)} (alert_after)\n`,
    );
  }
  return healthy ? ExitCode.OK : ExitCode.FAILED;
}

/** A followed asset's health: its stream's state stands for the runs it does not have. */
async function streamHealth(asset: string, pending: Promise<StreamStatus>): Promise<AssetHealth> {
  const stream = await pending;
  return {
    asset,
    last_status: stream.healthy ? 'streaming' : 'behind',
    ...(stream.caught_up_at ? { last_success_at: stream.caught_up_at } : {}),
    ...(stream.behind_seconds !== undefined ? { success_age_seconds: stream.behind_seconds } : {}),
    healthy: stream.healthy,
    stream,
  };
}

/** One destination's health, with several destinations. */
export interface DestinationHealth {
  destination: string;
  last_status: string;
  last_success_at?: string;
  success_age_seconds?: number;
  healthy: boolean;
  last_error?: string;
}

/** Each configured destination's last complete copy against alert_after; undefined with a single destination. */
function destinationHealth(
  config: Config,
  state: LastRunState | undefined,
  only: string | undefined,
  now: Date,
): DestinationHealth[] | undefined {
  const all = destinationsOf(config);
  if (only !== undefined) selectDestination(config, only);
  if (all.length < 2) return undefined;
  return all
    .filter((d) => only === undefined || d.name === only)
    .map(({ name }) => {
      const d = state?.destinations?.[name];
      const success = d?.last_success_at;
      const age = success ? Math.max(0, (now.getTime() - Date.parse(success)) / 1000) : undefined;
      return {
        destination: name,
        last_status: d?.last_status ?? 'never run',
        ...(success ? { last_success_at: success } : {}),
        ...(age !== undefined ? { success_age_seconds: Math.round(age) } : {}),
        healthy: age !== undefined && age * 1000 <= config.alert_after,
        ...(d?.last_error ? { last_error: d.last_error } : {}),
      };
    });
}
