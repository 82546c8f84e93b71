import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../layout/manifest.js';
import { createPending, readLastFull, settlePending } from './physical-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ba-physical-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const startedAt = new Date('2026-12-06T03:15:00Z');
const record = {
  key: 'p/weekly/2026-12-06/h/db/20261206T031500Z.xbstream.zst',
  status: 'ok',
  sha256: 'b'.repeat(64),
  bytes_stored: 4096,
} as ArtifactRecord;

/** A full that landed: mariabackup's LSN file in the pending directory, settled with an ok record. */
async function landFull(tier: string): Promise<string> {
  const pending = await createPending(dir);
  await writeFile(
    join(pending, 'xtrabackup_checkpoints'),
    'backup_type = full-backuped\nfrom_lsn = 0\nto_lsn = 52969\nlast_lsn = 52969\nrecover_binlog_info = 0\n',
  );
  await settlePending(dir, pending, 0, record, startedAt, tier);
  return pending;
}

describe('mysql-physical incremental state', () => {
  it('a settled full records its tier (for the retention rule) beside the base a differential records', async () => {
    await landFull('weekly');
    const last = await readLastFull(dir);
    expect(last).toEqual({
      lsnDir: join(dir, 'full'),
      startedAt,
      tier: 'weekly',
      base: { key: record.key, sha256: record.sha256, bytes_stored: 4096, started_at: startedAt.toISOString() },
    });
  });

  it('state written before the tier was recorded still reads (tier undefined: no retention rule for it)', async () => {
    await landFull('daily');
    const full = join(dir, 'full', 'full.json');
    const { tier: _tier, ...older } = JSON.parse(await readFile(full, 'utf8')) as {
      tier: string;
    };
    await writeFile(full, JSON.stringify(older));
    const last = await readLastFull(dir);
    expect('missing' in last ? last.missing : last.tier).toBeUndefined();
  });

  it("a differential's pending directory is dropped, the full stays", async () => {
    await landFull('daily');
    const pending = await createPending(dir);
    await settlePending(dir, pending, 1, record, new Date('2026-12-07T03:15:00Z'), 'daily');
    const last = await readLastFull(dir);
    expect('missing' in last ? last.missing : last.startedAt).toEqual(startedAt);
  });
});
