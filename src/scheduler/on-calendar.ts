// `schedule --print systemd`: the config's cron schedule as a systemd timer (OnCalendar= syntax).
import type { ScheduledConfig } from './validate-schedule.js';
import { compactField, parseCronFields, runsOf, type CronFields, type Piece } from './cron-fields.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Converts a node-cron expression to a systemd calendar event, e.g. `15 3 * * *` -> `*-*-* 03:15:00`,
 * `0 3 * * mon-fri` -> `Mon..Fri *-*-* 03:00:00`; `timezone` is appended (`... Europe/Berlin`).
 * Both restrict day of month and day of week with AND, as systemd does, so the result is exact.
 * Throws BackupError USAGE for what has no equivalent here (L, W, #).
 */
export function toOnCalendar(expression: string, timezone?: string): string {
  const fields = parseCronFields(expression, 'systemd OnCalendar');
  const date = `*-${render(fields, 'month')}-${render(fields, 'dayOfMonth')}`;
  const time = `${render(fields, 'hour')}:${render(fields, 'minute')}:${render(fields, 'second')}`;
  return [weekdays(fields.dayOfWeek), date, time, timezone]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

/**
 * Renders a complete backup-agent.timer for `config` (which must have `schedule`): OnCalendar= with the
 * timezone, RandomizedDelaySec= from random_delay, Persistent=true. Throws like {@link toOnCalendar}.
 */
export function renderSystemdTimer(config: ScheduledConfig, configPath: string): string {
  const schedule = config.schedule;
  const onCalendar = toOnCalendar(schedule, config.timezone);
  return [
    `# backup-agent.timer for ${configPath} (schedule "${schedule}"${config.timezone ? `, timezone ${config.timezone}` : ''})`,
    '# Install next to systemd/backup-agent.service in /etc/systemd/system/, then:',
    '#   systemctl daemon-reload && systemctl enable --now backup-agent.timer',
    `# Check the next runs with:  systemd-analyze calendar --iterations=5 '${onCalendar}'`,
    '',
    '[Unit]',
    'Description=Scheduled backup-agent run',
    '',
    '[Timer]',
    `OnCalendar=${onCalendar}`,
    `RandomizedDelaySec=${systemdTimespan(config.random_delay)}`,
    'Persistent=true',
    'Unit=backup-agent.service',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** Formats milliseconds as a systemd time span: `15min`, `2h`, `90s`, `250ms`. */
export function systemdTimespan(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function render(fields: CronFields, field: Exclude<keyof CronFields, 'dayOfWeek'>): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return compactField(fields[field], field)
    .map((piece: Piece) => {
      switch (piece.kind) {
        case 'all':
          return '*';
        case 'step':
          return `${pad(piece.start)}/${piece.step}`;
        case 'range':
          return `${pad(piece.from)}..${pad(piece.to)}${piece.step > 1 ? `/${piece.step}` : ''}`;
        case 'value':
          return pad(piece.value);
      }
    })
    .join(',');
}

/** `Mon..Fri`, `Sat,Sun`, or '' for every day; systemd weeks start on Monday and have no steps. */
function weekdays(days: number[]): string {
  if (days.length === 7) return '';
  const order = [1, 2, 3, 4, 5, 6, 0].filter((d) => days.includes(d));
  return runsOf(order, (previous, next) => (next - previous + 7) % 7 === 1)
    .map((run) =>
      run.items.length >= 3
        ? `${WEEKDAYS[run.first]}..${WEEKDAYS[run.last]}`
        : run.items.map((d) => WEEKDAYS[d]).join(','),
    )
    .join(',');
}
