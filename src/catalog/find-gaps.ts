// Gaps in daily backup series: a host/asset (per database) that backs up daily but has no stored backup on some day.
import type { BackupEntry } from './backup-entries.js';
import { isStored } from './backup-entries.js';

const DAY_MS = 86_400_000;

/** A day without a stored backup in a daily series. */
export interface Gap {
  host: string;
  asset: string;
  label?: string;
  /** `2026-11-20` (UTC). */
  day: string;
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * Finds missing days. A series (host, asset, database) counts as daily when it has stored backups on
 * two consecutive days in the window. Expected days run from its first stored day in the window (or
 * `since`) to the day 24 hours before `now` (today's run may not have happened yet). Failed or
 * interrupted runs do not fill a day.
 */
export function findGaps(entries: BackupEntry[], since: Date, now: Date): Gap[] {
  const series = new Map<string, { host: string; asset: string; label?: string; days: Set<string> }>();
  for (const e of entries) {
    const id = JSON.stringify([e.host, e.asset, e.label ?? '']);
    const s = series.get(id) ?? {
      host: e.host,
      asset: e.asset,
      ...(e.label ? { label: e.label } : {}),
      days: new Set<string>(),
    };
    series.set(id, s);
    if (isStored(e) && Date.parse(e.started_at) >= since.getTime()) s.days.add(e.started_at.slice(0, 10));
  }
  const last = dayOf(now.getTime() - DAY_MS);
  const gaps: Gap[] = [];
  for (const s of series.values()) {
    const days = [...s.days].sort();
    const [first] = days;
    if (first === undefined || !hasConsecutiveDays(days)) continue;
    for (let t = Date.parse(first); dayOf(t) <= last; t += DAY_MS) {
      if (!s.days.has(dayOf(t)))
        gaps.push({ host: s.host, asset: s.asset, ...(s.label ? { label: s.label } : {}), day: dayOf(t) });
    }
  }
  return gaps.sort(
    (a, b) => a.host.localeCompare(b.host) || a.asset.localeCompare(b.asset) || a.day.localeCompare(b.day),
  );
}

/** True when two of the sorted `days` (`2026-11-22`) follow each other: the series is a daily one. */
function hasConsecutiveDays(days: string[]): boolean {
  let previous = Number.NaN;
  for (const day of days) {
    const time = Date.parse(day);
    if (time - previous === DAY_MS) return true;
    previous = time;
  }
  return false;
}
