// What `schedule --print` makes of common cron expressions, and what it refuses, in the user's words.
import { describe, expect, it } from 'vitest';
import { toCrontabSchedule } from './crontab-line.js';
import { systemdTimespan, toOnCalendar } from './on-calendar.js';
import { scheduleProblems } from './validate-schedule.js';

describe('toOnCalendar', () => {
  it.each([
    ['15 3 * * *', '*-*-* 03:15:00'],
    ['*/15 * * * *', '*-*-* *:00/15:00'],
    ['0 3 * * mon-fri', 'Mon..Fri *-*-* 03:00:00'],
    ['30 2 * * 6,0', 'Sat,Sun *-*-* 02:30:00'],
    ['0 3 * * 5-7', 'Fri..Sun *-*-* 03:00:00'],
    ['0 0 1 */3 *', '*-01/3-01 00:00:00'],
    ['0 3 1,15 * *', '*-*-01,15 03:00:00'],
    ['5 1-5/2 * * *', '*-*-* 01..05/2:05:00'],
    ['0 9-17 * * 1-5', 'Mon..Fri *-*-* 09..17:00:00'],
    ['0 3 * jan,jul sun', 'Sun *-01,07-* 03:00:00'],
    ['@weekly', 'Sun *-*-* 00:00:00'],
    ['*/10 * * * * *', '*-*-* *:*:00/10'],
    ['0 3 1-7 * 1', 'Mon *-*-01..07 03:00:00'],
  ])('%s -> %s', (cron, calendar) => {
    expect(toOnCalendar(cron)).toBe(calendar);
  });

  it('appends the timezone', () => {
    expect(toOnCalendar('15 3 * * *', 'Europe/Berlin')).toBe('*-*-* 03:15:00 Europe/Berlin');
  });

  it('refuses last-day, nearest-weekday and nth-weekday forms with the token named', () => {
    expect(() => toOnCalendar('0 3 L * *')).toThrow(
      'schedule "0 3 L * *": cannot convert "L" (last day, nearest weekday or nth weekday) to systemd OnCalendar',
    );
    expect(() => toOnCalendar('0 3 * * 1#2')).toThrow('cannot convert "1#2"');
  });

  it('formats random_delay as a systemd time span', () => {
    expect([0, 900_000, 7_200_000, 90_000, 1500].map(systemdTimespan)).toEqual(['0', '15min', '2h', '90s', '1500ms']);
  });
});

describe('toCrontabSchedule', () => {
  it.each([
    ['15 3 * * *', '15 3 * * *'],
    ['0 3 * * mon-fri', '0 3 * * 1-5'],
    ['0 3 * * 7', '0 3 * * 0'],
    ['5 1-5/2 * * *', '5 1-5/2 * * *'],
    ['@daily', '0 0 * * *'],
    ['0 */6 * * *', '0 */6 * * *'],
    ['*/30 * * * *', '0,30 * * * *'],
    ['5,35 * * * *', '5,35 * * * *'],
    ['0 0 * * * *', '0 * * * *'],
  ])('%s -> %s', (cron, line) => {
    expect(toCrontabSchedule(cron)).toBe(line);
  });

  it('refuses seconds and day-of-month plus day-of-week, saying why', () => {
    expect(() => toCrontabSchedule('*/10 * * * * *')).toThrow('cron has no seconds field');
    expect(() => toCrontabSchedule('0 3 1-7 * 1')).toThrow('the daemon runs when both match, cron when either does');
  });
});

describe('scheduleProblems', () => {
  it("reports node-cron's own messages and unknown zones, naming the key", () => {
    expect(scheduleProblems({ schedule: '61 3 * * *', timezone: 'Mars/Olympus' })).toEqual([
      'schedule: 61 is a invalid expression for minute ("61 3 * * *")',
      'timezone: "Mars/Olympus" is not a time zone known here (use an IANA name such as Europe/Berlin or UTC)',
    ]);
    expect(scheduleProblems({ schedule: '* * * *' })).toEqual([
      'schedule: expected 5 or 6 fields but got 4 ("* * * *")',
    ]);
    expect(scheduleProblems({ schedule: '0 3 31 2 *' })).toEqual([
      'schedule: 31 2 is an impossible day of month for the given month ("0 3 31 2 *")',
    ]);
  });

  it('accepts good values, and requires schedule only when asked', () => {
    expect(scheduleProblems({ schedule: '15 3 * * *', timezone: 'UTC' })).toEqual([]);
    expect(scheduleProblems({})).toEqual([]);
    expect(scheduleProblems({}, true)).toEqual([
      'schedule: not set; add a cron expression such as schedule: "15 3 * * *"',
    ]);
  });
});
