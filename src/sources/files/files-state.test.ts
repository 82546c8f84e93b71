import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../../layout/manifest.js';
import { createPending, fileSha256, readLastFull, settlePending, SNAPSHOT } from './files-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ba-files-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const startedAt = new Date('2026-12-06T03:15:00Z');

/** A full that landed: a pending snapshot settled with an ok record. */
async function landFull(): Promise<ArtifactRecord> {
  const { pending, snapshot } = await createPending(dir, undefined);
  await writeFile(snapshot, 'GNU tar-1.34-2\n');
  const record = {
    key: 'p/weekly/2026-12-06/h/www/20261206T031500Z.tar.zst',
    status: 'ok',
    sha256: 'a'.repeat(64),
    bytes_stored: 42,
    incremental: { level: 0, reason: 'first', snapshot: await fileSha256(snapshot) },
  } as ArtifactRecord;
  await settlePending(dir, pending, record, { level: 0, startedAt, tier: 'weekly' });
  return record;
}

describe('files incremental state', () => {
  it('a first run has no full and says so without a warning', async () => {
    expect(await readLastFull(dir)).toEqual({ missing: 'no earlier full to build on', lost: false });
  });

  it('a settled full is what the next run builds on: its key, sha256, tier and snapshot', async () => {
    const record = await landFull();
    const last = await readLastFull(dir);
    expect(last).toMatchObject({
      tier: 'weekly',
      startedAt,
      base: { key: record.key, sha256: record.sha256, bytes_stored: 42 },
      snapshotSha256: record.incremental?.snapshot,
    });
    expect((await readdir(dir)).filter((name) => name.startsWith('pending-'))).toEqual([]);
  });

  it('a differential copies the snapshot and never changes the full’s; settling it drops the copy', async () => {
    await landFull();
    const last = await readLastFull(dir);
    if ('missing' in last) throw new Error(last.missing);
    const { pending, snapshot } = await createPending(dir, last);
    await writeFile(snapshot, 'advanced by tar\n');
    await settlePending(dir, pending, undefined, { level: 1, startedAt, tier: 'daily' });
    expect(await readFile(join(dir, 'full', SNAPSHOT), 'utf8')).toBe('GNU tar-1.34-2\n');
    expect((await readdir(dir)).filter((name) => name.startsWith('pending-'))).toEqual([]);
  });

  it('lost, unreadable or altered state means a full, and is flagged as lost', async () => {
    await landFull();
    await writeFile(join(dir, 'full', SNAPSHOT), 'edited\n');
    expect(await readLastFull(dir)).toMatchObject({
      missing: expect.stringContaining('does not match its record') as string,
      lost: true,
    });
    await writeFile(join(dir, 'full', 'full.json'), '{');
    expect(await readLastFull(dir)).toMatchObject({
      missing: expect.stringContaining('unreadable') as string,
      lost: true,
    });
    await rm(join(dir, 'full'), { recursive: true });
    expect(await readLastFull(dir)).toMatchObject({
      missing: expect.stringContaining('is missing') as string,
      lost: true,
    });
  });
});
