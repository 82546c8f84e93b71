// `schedule --print cron`: the config's schedule as a crontab entry, refusing what cron would read differently.
import type { ScheduledConfig } from './validate-schedule.js';
import { BackupError } from '../shared/backup-error.js';
import { systemdTimespan } from './on-calendar.js';
import { compactField, FIELD_BOUNDS, isWholeField, parseCronFields, type CronFields } from './cron-fields.js';

const ORDER = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const;

/**
 * Converts a node-cron expression to the five fields of a crontab, in plain numeric syntax that every
 * cron reads (names, nicknames and node-cron-only forms are expanded). Throws BackupError USAGE for a
 * seconds field other than 0, and when both day of month and day of week are restricted: cron runs
 * when either matches, node-cron (and systemd) only when both do.
 */
export function toCrontabSchedule(expression: string): string {
  const fields = parseCronFields(expression, 'cron');
  if (fields.second.length !== 1 || fields.second[0] !== 0) {
    throw new BackupError(
      'USAGE',
      `schedule "${expression}": cron has no seconds field (it starts jobs on second 0); use --print systemd or the daemon`,
    );
  }
  if (!isWholeField(fields.dayOfMonth, 'dayOfMonth') && !isWholeField(fields.dayOfWeek, 'dayOfWeek')) {
    throw new BackupError(
      'USAGE',
      `schedule "${expression}" restricts both day of month and day of week: the daemon runs when both match, cron when either does; use --print systemd (same meaning) or restrict only one`,
    );
  }
  return ORDER.map((field) => renderField(fields, field)).join(' ');
}

/**
 * Renders a crontab snippet for `config` (which must have `schedule`): a CRON_TZ= line when timezone
 * is set, then `MIN HOUR DOM MON DOW BIN run --config CONFIG` with absolute paths.
 */
export function renderCrontab(config: ScheduledConfig, configPath: string, binPath: string): string {
  const schedule = config.schedule;
  const line = `${toCrontabSchedule(schedule)} ${cronCommand([binPath, 'run', '--config', configPath])}`;
  return [
    `# backup-agent for ${configPath} (schedule "${schedule}"${config.timezone ? `, timezone ${config.timezone}` : ''})`,
    '# Add with `crontab -e` as the user that runs backups; cron mails what the run prints.',
    ...(config.timezone
      ? [
          "# CRON_TZ applies to the lines below it. cronie (Fedora, RHEL, Arch, SUSE) honours it; Debian's and",
          "# Ubuntu's cron ignore it and use the system time zone: there, use the systemd timer or the daemon.",
          `CRON_TZ=${config.timezone}`,
        ]
      : []),
    ...(config.random_delay > 0
      ? [`# random_delay (${systemdTimespan(config.random_delay)}) is not applied by cron.`]
      : []),
    line,
    '',
  ].join('\n');
}

function renderField(fields: CronFields, field: (typeof ORDER)[number]): string {
  const [min, max] = FIELD_BOUNDS[field];
  return compactField(fields[field], field)
    .map((piece) => {
      switch (piece.kind) {
        case 'all':
          return '*';
        case 'step':
          return piece.start === min ? `*/${piece.step}` : `${piece.start}-${max}/${piece.step}`;
        case 'range':
          return `${piece.from}-${piece.to}${piece.step > 1 ? `/${piece.step}` : ''}`;
        case 'value':
          return String(piece.value);
      }
    })
    .join(',');
}

/** Quotes words for /bin/sh where needed and escapes `%`, which cron turns into a newline. */
function cronCommand(words: string[]): string {
  return words
    .map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(' ')
    .replace(/%/g, '\\%');
}
