// `backup-agent schedule --print systemd|cron`: the config's schedule for a systemd timer or a crontab.
import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { renderCrontab } from '../scheduler/crontab-line.js';
import { renderSystemdTimer } from '../scheduler/on-calendar.js';
import { requireSchedule } from '../scheduler/validate-schedule.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';

export interface ScheduleCommandOptions {
  print: 'systemd' | 'cron';
}

/**
 * Prints a backup-agent.timer or a crontab entry equivalent to `schedule` (with timezone and random_delay).
 * Returns 0, or 2 when the config has no valid schedule or the expression cannot be converted.
 */
export async function scheduleAction(global: GlobalOptions, options: ScheduleCommandOptions): Promise<number> {
  const { config, path } = await loadConfig(global.config);
  requireSchedule(config, path);
  // The launcher that is running now, so cron (whose PATH is /usr/bin:/bin) finds the same program.
  const bin = process.argv[1] ? resolve(process.argv[1]) : 'backup-agent';
  process.stdout.write(
    options.print === 'systemd' ? renderSystemdTimer(config, path) : renderCrontab(config, path, bin),
  );
  return ExitCode.OK;
}
