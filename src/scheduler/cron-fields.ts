// Turns a cron expression into node-cron's expanded value sets and back into compact pieces, so the
// systemd and crontab renderings mean exactly what the daemon means.
import { validateDetailed } from 'node-cron';
import { BackupError } from '../shared/backup-error.js';

/** The values each field matches, as node-cron expands them (day of week 0-6, Sunday 0). */
export interface CronFields {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
}

/** Bounds of each field. */
export const FIELD_BOUNDS: Record<keyof CronFields, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 6],
};

/** One compact piece of a field: everything, `start` every `step` to the end, a range (with a step), or one value. */
export type Piece =
  | { kind: 'all' }
  | { kind: 'step'; start: number; step: number }
  | { kind: 'range'; from: number; to: number; step: number }
  | { kind: 'value'; value: number };

/**
 * Parses `expression` (5 fields, or 6 with seconds first; nicknames such as @daily) with node-cron.
 * Throws BackupError USAGE when it is invalid, or uses L, W or # (which `target` cannot express).
 */
export function parseCronFields(expression: string, target: string): CronFields {
  const result = validateDetailed(expression);
  if (!result.valid || !result.fields) {
    throw new BackupError('USAGE', `schedule "${expression}": ${result.errors.map((e) => e.message).join('; ')}`);
  }
  const special = [...result.fields.dayOfMonth, ...result.fields.dayOfWeek].filter((v) => typeof v !== 'number');
  if (special.length > 0) {
    throw new BackupError(
      'USAGE',
      `schedule "${expression}": cannot convert ${special.map((v) => `"${v}"`).join(', ')} (last day, nearest weekday or nth weekday) to ${target}; use the daemon, or a plain day list`,
    );
  }
  const sorted = (values: (number | string)[]) => [...new Set(values as number[])].sort((a, b) => a - b);
  return {
    second: sorted(result.fields.second),
    minute: sorted(result.fields.minute),
    hour: sorted(result.fields.hour),
    dayOfMonth: sorted(result.fields.dayOfMonth),
    month: sorted(result.fields.month),
    dayOfWeek: sorted(result.fields.dayOfWeek.map((d) => (d === 7 ? 0 : (d as number)))),
  };
}

/** True when `values` (sorted) is every value of the field. */
export function isWholeField(values: number[], field: keyof CronFields): boolean {
  const [min, max] = FIELD_BOUNDS[field];
  return values.length === max - min + 1;
}

/**
 * Compacts the sorted `values` of `field` into pieces: `all`; an arithmetic progression of 3 or more
 * (`step` when it runs to the field's end, else a stepped `range`); else runs of 3 or more consecutive
 * values as ranges and the rest as single values (so a step giving two values, like 0,30, stays a list).
 */
export function compactField(values: number[], field: keyof CronFields): Piece[] {
  const [, max] = FIELD_BOUNDS[field];
  if (isWholeField(values, field)) return [{ kind: 'all' }];
  const progression = evenlySpaced(values);
  if (progression !== undefined && progression.step > 1) {
    const { first, step, last } = progression;
    return last + step > max
      ? [{ kind: 'step', start: first, step }]
      : [{ kind: 'range', from: first, to: last, step }];
  }
  const pieces: Piece[] = [];
  for (const run of runsOf(values, (previous, next) => next === previous + 1)) {
    if (run.items.length >= 3) pieces.push({ kind: 'range', from: run.first, to: run.last, step: 1 });
    else for (const value of run.items) pieces.push({ kind: 'value', value });
  }
  return pieces;
}

/** `values` as first, step and last when they are 3 or more evenly spaced numbers; else undefined. */
function evenlySpaced(values: number[]): { first: number; step: number; last: number } | undefined {
  const [first, second, ...rest] = values;
  const last = rest.at(-1);
  if (first === undefined || second === undefined || last === undefined) return undefined;
  const step = second - first;
  return values.every((v, i) => v === first + i * step) ? { first, step, last } : undefined;
}

/** Splits `values` into maximal runs in which each item `follows` the one before it (in order). */
export function runsOf<T>(
  values: readonly T[],
  follows: (previous: T, next: T) => boolean,
): { first: T; last: T; items: T[] }[] {
  const runs: { first: T; last: T; items: T[] }[] = [];
  for (const value of values) {
    const run = runs.at(-1);
    if (run !== undefined && follows(run.last, value)) {
      run.items.push(value);
      run.last = value;
    } else runs.push({ first: value, last: value, items: [value] });
  }
  return runs;
}
