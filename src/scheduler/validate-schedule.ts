// Checks `schedule` with node-cron's own parser and `timezone` with Intl, so a bad value fails at config time.
import { validateDetailed } from 'node-cron';
import type { Config, RuleProblem } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';

export interface ValidateScheduleOptions {
  /** The config file, for messages (`config /etc/backup-agent/config.yml: 1 problem`). */
  file?: string;
  /** Also require `schedule` to be set (the daemon and `schedule --print` need it). */
  required?: boolean;
}

/**
 * Returns the problems of `schedule` and `timezone` as `key: message` lines (empty when fine).
 * Schedule messages are node-cron's, e.g. `schedule: 61 is a invalid expression for minute ("61 3 * * *")`.
 */
export function scheduleProblems(config: Pick<Config, 'schedule' | 'timezone'>, required = false): string[] {
  const problems = scheduleRules(config).map((p) => `${p.path.join('.')}: ${p.message}`);
  if (config.schedule === undefined && required)
    problems.unshift('schedule: not set; add a cron expression such as schedule: "15 3 * * *"');
  return problems;
}

/** The same checks as config rules (key path + message), so `validate` reports them at their line and column. */
export function scheduleRules(config: Pick<Config, 'schedule' | 'timezone'>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (config.schedule !== undefined) {
    const result = validateDetailed(config.schedule);
    for (const error of result.errors)
      problems.push({ path: ['schedule'], message: `${error.message} ("${config.schedule}")` });
  }
  if (config.timezone !== undefined && !isTimeZone(config.timezone)) {
    problems.push({
      path: ['timezone'],
      message: `"${config.timezone}" is not a time zone known here (use an IANA name such as Europe/Berlin or UTC)`,
    });
  }
  return problems;
}

/**
 * Validates `schedule` (node-cron syntax: 5 fields, or 6 with seconds first) and `timezone`.
 * Throws BackupError CONFIG_INVALID (exit 2) with one detail line per problem, each naming its key.
 */
export function validateSchedule(
  config: Pick<Config, 'schedule' | 'timezone'>,
  options: ValidateScheduleOptions = {},
): void {
  const problems = scheduleProblems(config, options.required);
  if (problems.length === 0) return;
  const where = options.file === undefined ? 'config' : `config ${options.file}`;
  throw new BackupError('CONFIG_INVALID', `${where}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, {
    details: problems,
  });
}

/** A config whose `schedule` is set: what the daemon and `schedule --print` work from. */
export type ScheduledConfig = Config & { schedule: string };

/**
 * Validates like {@link validateSchedule} with the schedule required, and tells the type system so.
 * Throws BackupError CONFIG_INVALID (exit 2) with one detail line per problem.
 */
export function requireSchedule(config: Config, file: string): asserts config is ScheduledConfig {
  validateSchedule(config, { file, required: true });
}

/** True when Intl (and so node-cron) can compute local times in `zone`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
