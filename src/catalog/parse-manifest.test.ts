import { describe, expect, it } from 'vitest';
import type { Manifest } from '../layout/manifest.js';
import { checkArtifactKeys } from './parse-manifest.js';

const MANIFEST_KEY = 'p/daily/2026-11-22/web-1/20261122T031500Z.manifest.json';

function manifest(...artifacts: { asset: string; key: string; status?: 'ok' | 'failed' }[]): Manifest {
  return {
    format: 'backup-agent-manifest',
    version: 1,
    run_id: 'r',
    host: 'web-1',
    tier: 'daily',
    started_at: '2026-11-22T03:15:00.000Z',
    finished_at: '2026-11-22T03:16:00.000Z',
    status: 'ok',
    artifacts: artifacts.map((a) => ({
      type: 'files',
      location: '',
      bytes_read: 1,
      bytes_stored: 1,
      compression: 'zstd',
      duration_ms: 1,
      skipped: [],
      warnings: [],
      omitted: 0,
      status: 'ok',
      ...a,
    })),
  };
}

describe('checkArtifactKeys', () => {
  it("accepts the write side's keys (labels, random suffixes, encryption) and a failed asset without a key", () => {
    expect(() =>
      checkArtifactKeys(
        manifest(
          { asset: 'www', key: 'p/daily/2026-11-22/web-1/www/20261122T031500Z.tar.zst' },
          { asset: 'db', key: 'p/daily/2026-11-22/web-1/db/20261122T031500Z--shop.v2--Ab_c-9.sql.zst.age' },
          { asset: 'db2', key: '', status: 'failed' },
        ),
        MANIFEST_KEY,
        'here',
      ),
    ).not.toThrow();
  });

  it.each([
    ['a .. segment', 'www', 'p/daily/2026-11-22/web-1/../../../etc/20261122T031500Z.tar.zst'],
    ['a .. asset', '..', 'p/daily/2026-11-22/web-1/../20261122T031500Z.tar.zst'],
    ['another run', 'www', 'p/daily/2026-11-21/web-1/www/20261121T031500Z.tar.zst'],
    ['another host', 'www', 'p/daily/2026-11-22/web-2/www/20261122T031500Z.tar.zst'],
    ['another asset directory', 'www', 'p/daily/2026-11-22/web-1/db/20261122T031500Z.tar.zst'],
    ['a deeper path', 'www', 'p/daily/2026-11-22/web-1/www/x/20261122T031500Z.tar.zst'],
    ['another stamp', 'www', 'p/daily/2026-11-22/web-1/www/20261122T031501Z.tar.zst'],
    ['no key for a stored artifact', 'www', ''],
  ])('refuses %s', (_what, asset, key) => {
    expect(() => checkArtifactKeys(manifest({ asset, key }), MANIFEST_KEY, 'here')).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_INVALID',
        message: `manifest here: artifacts.0.key "${key}" is not a key of this run (expected p/daily/2026-11-22/web-1/${asset}/20261122T031500Z...): the manifest is not trusted`,
      }),
    );
  });
});
