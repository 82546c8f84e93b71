// Parses human size strings ("16MiB", "5 GB", 1048576) into byte counts for the config.
import { must } from '../shared/must.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * Returns the byte count of `value` (a non-negative integer or a string such as `16MiB`, `1.5 GB`).
 * Returns undefined when the string is not a size.
 */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_UNIT_MS: Readonly<Record<string, number | undefined>> = DURATION_UNITS;

/** Returns milliseconds of `value` (`90s`, `15m`, `26h`, `7d`, `1h30m`; a bare number is seconds), or undefined. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s+/g, '')) return undefined;
  return Math.round(
    parts.reduce(
      (sum, [, amount, unit = '']) => sum + Number(amount) * must(DURATION_UNIT_MS[unit], `unit ${unit}`),
      0,
    ),
  );
}

/** Formats milliseconds for log lines: `23h`, `5m`, `7m51s`, `1.5s`. */
export function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  const seconds = Math.round(ms / 1000);
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** Formats a byte count for people: `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  // Compare the rounded value, so 1048575 B reads "1.0 MiB", not "1024.0 KiB".
  while (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Largest first: the unit chosen gives the smallest whole number. */
const SIZE_SETTING_UNITS: [string, number][] = [
  ['TiB', 1024 ** 4],
  ['TB', 1000 ** 4],
  ['GiB', 1024 ** 3],
  ['GB', 1000 ** 3],
  ['MiB', 1024 ** 2],
  ['MB', 1000 ** 2],
  ['KiB', 1024],
  ['kB', 1000],
];

/** A byte count as a config value that parses back to it exactly: `16MiB`, `64MB`; 0 and counts of no whole unit stay numbers (`1536`). */
export function formatSizeSetting(bytes: number): string | number {
  const unit = SIZE_SETTING_UNITS.find(([, size]) => bytes > 0 && bytes % size === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : bytes;
}

/** Milliseconds as a config value that parses back to them exactly, in the largest whole unit: `26h`, `5m`, `90s`, `1500ms`. */
export function formatDurationSetting(ms: number): string {
  const unit = (['d', 'h', 'm', 's'] as const).find((u) => ms > 0 && ms % DURATION_UNITS[u] === 0);
  return unit ? `${ms / DURATION_UNITS[unit]}${unit}` : ms === 0 ? '0s' : `${ms}ms`;
}
