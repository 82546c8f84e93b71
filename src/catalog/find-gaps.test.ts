import { describe, expect, it } from 'vitest';
import type { BackupEntry } from './backup-entries.js';
import { findGaps } from './find-gaps.js';

const entry = (started_at: string, extra: Partial<BackupEntry> = {}): BackupEntry => ({
  host: 'web-1',
  asset: 'www',
  type: 'files',
  started_at,
  tier: 'daily',
  status: 'ok',
  bytes_stored: 1,
  key: `k-${started_at}`,
  manifest_key: `m-${started_at}`,
  record: {} as BackupEntry['record'],
  ...extra,
});

describe('findGaps', () => {
  const since = new Date('2026-11-15T00:00:00Z');
  const now = new Date('2026-11-22T10:00:00Z');

  it('reports each missing day of a daily series up to yesterday, and a failed run does not fill its day', () => {
    const entries = ['15', '16', '18', '19'].map((d) => entry(`2026-11-${d}T03:15:00.000Z`));
    entries.push(entry('2026-11-20T03:15:00.000Z', { status: 'failed' }));
    expect(findGaps(entries, since, now).map((g) => g.day)).toEqual(['2026-11-17', '2026-11-20', '2026-11-21']);
  });

  it('does not expect today before it is 24 h old, nor days before the series began', () => {
    const entries = ['19', '20', '21'].map((d) => entry(`2026-11-${d}T03:15:00.000Z`));
    expect(findGaps(entries, since, new Date('2026-11-22T02:00:00Z'))).toEqual([]);
  });

  it('leaves weekly series alone and keeps databases apart', () => {
    const weekly = ['08', '15'].map((d) => entry(`2026-11-${d}T03:15:00.000Z`, { asset: 'archive' }));
    const shop = ['20', '21'].map((d) => entry(`2026-11-${d}T03:15:00.000Z`, { asset: 'db', label: 'shop' }));
    const billing = ['19', '21'].map((d) => entry(`2026-11-${d}T03:15:00.000Z`, { asset: 'db', label: 'billing' }));
    const billingDaily = entry('2026-11-18T03:15:00.000Z', { asset: 'db', label: 'billing' });
    expect(findGaps([...weekly, ...shop, ...billing, billingDaily], since, now)).toEqual([
      { host: 'web-1', asset: 'db', label: 'billing', day: '2026-11-20' },
    ]);
  });
});
