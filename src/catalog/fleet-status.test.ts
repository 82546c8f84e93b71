import { describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../layout/manifest.js';
import type { BackupEntry } from './backup-entries.js';
import { fleetStatus } from './fleet-status.js';

const NOW = new Date('2026-12-05T12:00:00Z');
const DAY = 86_400_000;

/** A stored (or failed) artifact of `host`'s `asset` in the run started `daysAgo` days before NOW. */
function entry(
  host: string,
  asset: string,
  daysAgo: number,
  status: ArtifactRecord['status'] = 'ok',
  bytes = 100,
): BackupEntry {
  const started_at = new Date(NOW.getTime() - daysAgo * DAY).toISOString();
  return {
    host,
    asset,
    type: 'files',
    started_at,
    tier: 'daily',
    status,
    bytes_stored: bytes,
    key: `k/${host}/${asset}/${started_at}`,
    manifest_key: `m/${host}/${started_at}`,
    record: {} as ArtifactRecord,
  };
}

const status = (entries: BackupEntry[], drills = []) =>
  fleetStatus({ entries, drills, now: NOW, since: new Date(NOW.getTime() - 30 * DAY), alertAfter: 26 * 3_600_000 });

describe('fleetStatus', () => {
  it('red when the last success is older than alert_after, green when fresh and complete', () => {
    const rows = status([
      entry('fresh', 'www', 0.1),
      entry('fresh', 'www', 1.1),
      entry('stale', 'www', 3),
      entry('stale', 'www', 4),
    ]);
    expect(rows.map((r) => [r.host, r.health])).toEqual([
      ['fresh', 'green'],
      ['stale', 'red'],
    ]);
    expect(rows[1]?.reasons).toContain('last success older than alert_after');
  });

  it('amber when fresh but the newest run failed, or a day of a daily series is missing', () => {
    const failedLast = status([entry('h', 'a', 0.05, 'failed'), entry('h', 'a', 0.5), entry('h', 'a', 1.5)]);
    expect(failedLast[0]?.health).toBe('amber');
    expect(failedLast[0]?.reasons).toEqual(['last run failed']);
    const gap = status([entry('h', 'a', 0.1), entry('h', 'a', 3.1), entry('h', 'a', 4.1)]);
    expect(gap[0]?.health).toBe('amber');
    expect(gap[0]?.gaps.length).toBeGreaterThan(0);
  });

  it('bytes per day: the newest stored run of each day, 0 where none', () => {
    const [row] = status([entry('h', 'a', 0.1, 'ok', 300), entry('h', 'a', 0.2, 'ok', 200)]);
    expect(row?.daily_bytes.at(-1)?.bytes).toBe(300);
    expect(row?.daily_bytes.at(-3)?.bytes).toBe(0);
  });
});
