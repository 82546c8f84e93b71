// The TIME of `restore --until`: what the operator may write, and the form the binlog tool is given.
// Binlog events carry whole seconds, and `mariadb-binlog --stop-datetime` reads its argument in the local
// time zone of the machine it runs on (TZ, else /etc/localtime), which this process shares with it.
import { BackupError } from '../../shared/backup-error.js';

const FORM = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `2026-12-05 17:00:00` or `2026-12-05T17:00:00` (local time of this machine), or with a zone:
 * `2026-12-05T16:00:00Z`, `2026-12-05T17:00:00+01:00`. Returns the instant. Throws USAGE for anything
 * else: fractions of a second (binlog events carry whole seconds), a date that does not exist, and a
 * local time that a daylight-saving change skips.
 */
export function parseUntil(text: string): Date {
  const match = FORM.exec(text.trim());
  const usage = (why: string) =>
    new BackupError(
      'USAGE',
      `--until "${text}": ${why} (expected YYYY-MM-DD HH:MM:SS in this machine's local time, or ISO-8601 with Z or +HH:MM)`,
    );
  if (!match)
    throw usage(/\.\d/.test(text) ? 'binlog events carry whole seconds: leave out the fraction' : 'not a time');
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = match[7];
  const date = zone
    ? new Date(
        `${match.slice(1, 4).join('-')}T${match.slice(4, 7).join(':')}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`,
      )
    : new Date(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(date.getTime())) throw usage('not a time');
  if (!zone && localDatetime(date) !== `${match.slice(1, 4).join('-')} ${match.slice(4, 7).join(':')}`)
    throw usage('that local time does not exist (a date out of range, or skipped by a daylight-saving change)');
  return date;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `date` as `YYYY-MM-DD HH:MM:SS` in this machine's local time: what `--stop-datetime` takes. */
export function localDatetime(date: Date): string {
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
