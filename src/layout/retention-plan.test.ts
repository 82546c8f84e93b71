import { describe, expect, it } from 'vitest';
import { groupRuns, planRetention, type StoredRun } from './retention-plan.js';

/** The keys one run of `host` leaves: a manifest and one artifact per asset. */
function runKeys(tier: string, iso: string, assets: string[], host = 'web-01', prefix = 'p/'): string[] {
  const day = iso.slice(0, 10);
  const stamp = `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
  return [
    `${prefix}${tier}/${day}/${host}/${stamp}.manifest.json`,
    ...assets.map((a) => `${prefix}${tier}/${day}/${host}/${a}/${stamp}.tar.zst`),
  ];
}

const ids = (runs: { run: StoredRun }[]) => runs.map((r) => r.run.id);

describe('groupRuns', () => {
  it("groups this host's keys into runs by tier, day and start; other hosts and foreign files are left out", () => {
    const runs = groupRuns(
      [
        ...runKeys('daily', '2026-11-20T03:15:00', ['www', 'db']),
        'p/daily/2026-11-20/web-01/db/20261120T031500Z--shop--Zm9v.sql.zst',
        ...runKeys('daily', '2026-11-20T03:15:00', ['www'], 'web-02'),
        'p/daily/2026-11-20/web-01/notes.txt',
        'p/_check/web-01/20261120T031500Z--abc.txt',
        'p/hourly/2026-11-20/web-01/20261120T031500Z.manifest.json',
        'q/daily/2026-11-20/web-01/20261120T031500Z.manifest.json',
      ],
      'p/',
      'web-01',
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: 'daily/2026-11-20/20261120T031500Z',
      tier: 'daily',
      manifestKey: 'p/daily/2026-11-20/web-01/20261120T031500Z.manifest.json',
    });
    expect(runs[0]!.started.toISOString()).toBe('2026-11-20T03:15:00.000Z');
    expect(runs[0]!.artifactKeys).toHaveLength(3);
    expect([...runs[0]!.assets].sort()).toEqual(['db', 'www']);
  });
});

describe('planRetention', () => {
  const retention = { daily: 7, weekly: 28, monthly: 90 };
  const now = new Date('2026-12-10T03:15:00Z');
  /** Runs of www and db on the given days, with the assets their manifest records complete ('unknown': encrypted). */
  function history(days: [tier: string, iso: string, complete: string[] | 'unknown'][]): StoredRun[] {
    const runs = groupRuns(
      days.flatMap(([tier, iso]) => runKeys(tier, iso, ['www', 'db'])),
      'p/',
      'web-01',
    );
    for (const [tier, iso, complete] of days) {
      runs.find((r) => r.id.startsWith(`${tier}/${iso.slice(0, 10)}/`))!.complete =
        complete === 'unknown' ? undefined : new Set(complete);
    }
    return runs;
  }

  it("removes exactly the runs older than their tier's days, across tiers", () => {
    const runs = history([
      ['monthly', '2026-08-01T03:15:00', ['www', 'db']], // 131 days > 90
      ['monthly', '2026-11-01T03:15:00', ['www', 'db']], // 39 days <= 90
      ['weekly', '2026-11-08T03:15:00', ['www', 'db']], // 32 days > 28
      ['weekly', '2026-11-15T03:15:00', ['www', 'db']], // 25 days <= 28
      ['daily', '2026-12-02T03:15:00', ['www', 'db']], // 8 days > 7
      ['daily', '2026-12-03T03:15:00', ['www', 'db']], // exactly 7 days: kept
      ['daily', '2026-12-09T03:15:00', ['www', 'db']],
      ['yearly', '2025-01-01T03:15:00', ['www', 'db']], // no yearly tier configured: kept, as S3 would
    ]);
    const plan = planRetention(runs, retention, now);
    expect(ids(plan.remove)).toEqual([
      'monthly/2026-08-01/20260801T031500Z',
      'weekly/2026-11-08/20261108T031500Z',
      'daily/2026-12-02/20261202T031500Z',
    ]);
    expect(plan.remove[0]!.reason).toBe('monthly run of 2026-08-01 03:15Z is 131 days old; monthly keeps 90 days');
    expect(plan.keep).toEqual([]);
  });

  it('never removes the newest complete backup of an asset, however old; newer partial runs do not count', () => {
    const runs = history([
      ['daily', '2026-11-01T03:15:00', ['www', 'db']], // expired; holds the newest complete db
      ['daily', '2026-11-02T03:15:00', ['www']], // expired; db partial here
      ['daily', '2026-12-09T03:15:00', ['www']], // db partial again
    ]);
    const plan = planRetention(runs, retention, now);
    expect(ids(plan.remove)).toEqual(['daily/2026-11-02/20261102T031500Z']);
    expect(ids(plan.keep)).toEqual(['daily/2026-11-01/20261101T031500Z']);
    expect(plan.keep[0]!.reason).toMatch(
      /is 39 days old; daily keeps 7 days, but it holds the newest complete backup of db$/,
    );
  });

  it('keeps runs of unknown completeness (encrypted manifests) as long as no newer run is known complete', () => {
    const older: [string, string, string[] | 'unknown'][] = [
      ['daily', '2026-11-01T03:15:00', ['www', 'db']],
      ['daily', '2026-11-02T03:15:00', 'unknown'],
      ['daily', '2026-11-03T03:15:00', 'unknown'],
    ];
    const plan = planRetention(history(older), retention, now);
    expect(ids(plan.remove)).toEqual([]);
    expect(ids(plan.keep)).toEqual([
      'daily/2026-11-01/20261101T031500Z',
      'daily/2026-11-02/20261102T031500Z',
      'daily/2026-11-03/20261103T031500Z',
    ]);
    expect(plan.keep[2]!.reason).toContain('holds the newest possibly complete backup of www, db');
    // Once a newer run is known complete (the run just made), all of them go.
    const after = planRetention(history([...older, ['daily', '2026-12-10T03:15:00', ['www', 'db']]]), retention, now);
    expect(ids(after.remove)).toEqual([
      'daily/2026-11-01/20261101T031500Z',
      'daily/2026-11-02/20261102T031500Z',
      'daily/2026-11-03/20261103T031500Z',
    ]);
  });

  it('removes expired artifacts without a manifest: they are not a backup', () => {
    const runs = groupRuns(
      ['p/daily/2026-11-01/web-01/www/20261101T031500Z.tar.zst', ...runKeys('daily', '2026-12-09T03:15:00', ['www'])],
      'p/',
      'web-01',
    );
    runs.find((r) => r.manifestKey !== undefined)!.complete = new Set(['www']);
    const plan = planRetention(runs, retention, now);
    expect(ids(plan.remove)).toEqual(['daily/2026-11-01/20261101T031500Z']);
    expect(plan.remove[0]!.reason).toContain('(artifacts without a manifest: not a backup)');
  });
});
