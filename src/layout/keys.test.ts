import { describe, expect, it } from 'vitest';
import { artifactKey, manifestKey, randomSuffix, tierFor, timeParts, type KeyContext } from './keys.js';

const all = { daily: 7, weekly: 28, monthly: 365, yearly: 3650 };
const at = (iso: string) => new Date(iso);
const KEY_CHARS = /^[A-Za-z0-9._\-/]+$/;

describe('tierFor', () => {
  it('puts Jan 1 in yearly when yearly is configured', () => {
    expect(tierFor(at('2026-01-01T03:00:00Z'), all)).toBe('yearly');
  });

  it('puts Jan 1 in monthly when yearly is not configured', () => {
    expect(tierFor(at('2026-01-01T03:00:00Z'), { daily: 7, monthly: 365 })).toBe('monthly');
  });

  it('puts the 1st of a month in monthly, a Sunday in weekly, any other day in daily', () => {
    expect(tierFor(at('2026-12-01T03:00:00Z'), all)).toBe('monthly'); // a Tuesday
    expect(tierFor(at('2026-03-08T03:00:00Z'), all)).toBe('weekly'); // a Sunday
    expect(tierFor(at('2026-03-10T03:00:00Z'), all)).toBe('daily'); // a Tuesday
  });

  it('falls back to daily on a Sunday when weekly is not configured', () => {
    expect(tierFor(at('2026-03-08T03:00:00Z'), { daily: 7, monthly: 365 })).toBe('daily');
  });

  it('picks the longest-kept matching tier, not a fixed precedence', () => {
    // 2026-03-01 is a Sunday and the 1st: both weekly and monthly match.
    const sundayFirst = at('2026-03-01T03:00:00Z');
    expect(tierFor(sundayFirst, { daily: 7, weekly: 28, monthly: 365 })).toBe('monthly');
    expect(tierFor(sundayFirst, { daily: 7, weekly: 400, monthly: 365 })).toBe('weekly');
    // 2023-01-01 is a Sunday, the 1st, and Jan 1.
    expect(tierFor(at('2023-01-01T03:00:00Z'), { daily: 7, weekly: 5000, monthly: 365, yearly: 3650 })).toBe('weekly');
    expect(tierFor(at('2026-01-01T03:00:00Z'), { daily: 7, monthly: 365, yearly: 30 })).toBe('monthly');
  });

  it('uses the UTC calendar, not local time', () => {
    // 23:30 on Nov 30 at UTC-2 is 01:30 on Dec 1 UTC.
    expect(tierFor(at('2026-11-30T23:30:00-02:00'), all)).toBe('monthly');
    // 00:30 on Dec 1 at UTC+2 is still Nov 30 UTC (a Monday).
    expect(tierFor(at('2026-12-01T00:30:00+02:00'), all)).toBe('daily');
  });

  it('throws when no configured tier matches', () => {
    expect(() => tierFor(at('2026-03-10T03:00:00Z'), { monthly: 365 })).toThrow(/daily is required/);
  });
});

describe('timeParts', () => {
  it('formats the UTC day and a compact UTC stamp', () => {
    expect(timeParts(at('2026-11-22T03:15:07.456Z'))).toEqual({ day: '2026-11-22', stamp: '20261122T031507Z' });
  });

  it('converts an offset time to UTC', () => {
    expect(timeParts(at('2026-11-30T23:30:00-02:00'))).toEqual({ day: '2026-12-01', stamp: '20261201T013000Z' });
  });
});

describe('randomSuffix', () => {
  it('is 64 base64url characters and differs between calls', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i += 1) {
      const suffix = randomSuffix();
      expect(suffix).toMatch(/^[A-Za-z0-9_-]{64}$/);
      seen.add(suffix);
    }
    expect(seen.size).toBe(50);
  });
});

describe('artifactKey and manifestKey', () => {
  const ctx: KeyContext = {
    prefix: 'backups/',
    tier: 'daily',
    day: '2026-11-22',
    stamp: '20261122T031500Z',
    host: 'web-1.example.com',
    randomize: false,
  };

  it('lays out {prefix}{tier}/{day}/{host}/{asset}/{stamp}.{ext}', () => {
    expect(artifactKey(ctx, 'www', 'tar.zst')).toBe(
      'backups/daily/2026-11-22/web-1.example.com/www/20261122T031500Z.tar.zst',
    );
    expect(manifestKey(ctx)).toBe('backups/daily/2026-11-22/web-1.example.com/20261122T031500Z.manifest.json');
  });

  it('works with an empty prefix', () => {
    expect(artifactKey({ ...ctx, prefix: '' }, 'www', 'tar')).toBe(
      'daily/2026-11-22/web-1.example.com/www/20261122T031500Z.tar',
    );
  });

  it('appends the label after the stamp', () => {
    expect(artifactKey(ctx, 'db', 'sql.gz', 'shop')).toBe(
      'backups/daily/2026-11-22/web-1.example.com/db/20261122T031500Z--shop.sql.gz',
    );
  });

  it('replaces characters of a label that are unsafe in keys', () => {
    expect(artifactKey(ctx, 'db', 'sql', 'my shop$db/../x')).toBe(
      'backups/daily/2026-11-22/web-1.example.com/db/20261122T031500Z--my_shop_db_.._x.sql',
    );
    expect(artifactKey(ctx, 'db', 'sql', 'café')).toMatch(/--caf_\.sql$/);
  });

  it('appends a fresh 64-char random suffix when randomize is on', () => {
    const random = { ...ctx, randomize: true };
    const pattern =
      /^backups\/daily\/2026-11-22\/web-1\.example\.com\/db\/20261122T031500Z--shop--([A-Za-z0-9_-]{64})\.sql\.gz$/;
    const first = artifactKey(random, 'db', 'sql.gz', 'shop');
    const second = artifactKey(random, 'db', 'sql.gz', 'shop');
    expect(first).toMatch(pattern);
    expect(second).toMatch(pattern);
    expect(first).not.toBe(second);
    expect(artifactKey(random, 'www', 'tar')).toMatch(/\/www\/20261122T031500Z--[A-Za-z0-9_-]{64}\.tar$/);
    expect(manifestKey(random)).toMatch(
      /^backups\/daily\/2026-11-22\/web-1\.example\.com\/20261122T031500Z--[A-Za-z0-9_-]{64}\.manifest\.json$/,
    );
  });

  it('produces keys made only of A-Za-z0-9._-/', () => {
    const random = { ...ctx, randomize: true, ...timeParts(at('2026-11-30T23:30:00-02:00')) };
    for (let i = 0; i < 20; i += 1) {
      expect(artifactKey(random, 'www', 'tar.zst')).toMatch(KEY_CHARS);
      expect(artifactKey(random, 'db', 'sql.zst', 'shop 2 ü`;"')).toMatch(KEY_CHARS);
      expect(manifestKey(random)).toMatch(KEY_CHARS);
    }
  });
});
