// `backup-agent status`: the last run per asset and the age of its last success, for people and
// monitoring checks (exit 1 when any configured asset, or with several destinations any destination, has
// no success within alert_after).
import { destinationsOf, selectDestination } from '../config/destinations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { ExitCode } from '../shared/exit-codes.js';
import { readLastRun, lastRunPath, type LastRunState } from '../notify/last-run.js';
import type { GlobalOptions } from './global-options.js';

export interface StatusCommandOptions {
  json?: boolean;
  /** With several destinations: only this one's line (default: every destination's). */
  destination?: string;
}

export interface AssetHealth {
  asset: string;
  last_status: string;
  last_run_at?: string;
  last_success_at?: string;
  /** Seconds since the last success; undefined when it never succeeded. */
  success_age_seconds?: number;
  healthy: boolean;
  last_error?: string;
}

/** Formats seconds as `3h12m` / `2d4h`. */
export function formatAge(seconds: number): string {
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60}m` : `${Math.floor(h / 24)}d${h % 24}h`;
}

/** Prints per-asset health; exit 0 when every configured asset succeeded within alert_after, else 1. */
export async function statusAction(
  global: GlobalOptions,
  options: StatusCommandOptions,
  now = new Date(),
): Promise<number> {
  const { config } = await loadConfig(global.config);
  const state = await readLastRun(config.state_dir);
  const health: AssetHealth[] = config.assets.map(({ name }) => {
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
  });
  const destinations = destinationHealth(config, state, options.destination, now);
  const healthy = health.every((h) => h.healthy) && (destinations ?? []).every((d) => d.healthy);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ healthy, alert_after_seconds: config.alert_after / 1000, state_file: lastRunPath(config.state_dir), assets: health, ...(destinations ? { destinations } : {}) }, null, 2)}\n`,
    );
  } else {
    for (const h of health) {
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
