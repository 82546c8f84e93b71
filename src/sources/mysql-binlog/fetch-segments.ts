// Downloads the segments of a replay into a private directory, one binlog file per name (its segments
// concatenated in order), through the same decrypt and decompress stages as every artifact; each
// segment's plaintext is checked against its manifest (length and sha256) before anything is replayed.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BackupStore } from '../../destinations/backup-store.js';
import { BackupError } from '../../shared/backup-error.js';
import { artifactFormat } from '../../layout/artifact-format.js';
import { planDecompressor } from '../../transforms/decompress.js';
import type { DecryptorPlan } from '../../transforms/decrypt.js';
import { Measure } from '../../transforms/measure.js';
import type { SegmentManifest } from './binlog-series.js';

/** Appends the checked plaintext of `manifest`'s segment to `path`. */
async function fetchOne(
  store: BackupStore,
  manifest: SegmentManifest,
  decryptor: DecryptorPlan | undefined,
  path: string,
  signal: AbortSignal,
): Promise<void> {
  const where = store.locate(manifest.key);
  const format = artifactFormat(manifest.key);
  if (format.encrypted && decryptor === undefined)
    throw new BackupError('USAGE', `${where}: the segment is age-encrypted: pass --identity FILE`);
  const decrypt = format.encrypted ? decryptor?.create(signal) : undefined;
  const decompress = (await planDecompressor(format.compression)).create(signal);
  const measure = new Measure({ hash: true });
  const stages = [await store.open(manifest.key, signal), decrypt, decompress, measure];
  const sink = createWriteStream(path, { flags: 'a', mode: 0o600 });
  try {
    await pipeline(
      [...stages.filter((s) => s !== undefined), sink] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream],
      { signal },
    );
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      'RESTORE_FAILED',
      `${where}: download, decryption or decompression failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (measure.bytes !== manifest.to - manifest.from || measure.sha256() !== manifest.sha256)
    throw new BackupError(
      'INTEGRITY_FAILED',
      `${where}: ${measure.bytes} bytes with sha256 ${measure.sha256()}, but its manifest records ${manifest.to - manifest.from} bytes (${manifest.file} ${manifest.from}-${manifest.to}) with sha256 ${manifest.sha256}`,
    );
}

/**
 * Writes `manifests` (contiguous, in order) into `dir` as binlog files named as on the server; resolves to
 * their paths in order. Throws INTEGRITY_FAILED, DECRYPT/RESTORE_FAILED or the store's error; the caller
 * removes `dir`.
 */
export async function fetchSegments(
  store: BackupStore,
  manifests: readonly SegmentManifest[],
  decryptor: DecryptorPlan | undefined,
  dir: string,
  signal: AbortSignal,
): Promise<string[]> {
  const paths: string[] = [];
  for (const manifest of manifests) {
    const path = join(dir, manifest.file);
    if (paths.at(-1) !== path) paths.push(path);
    await fetchOne(store, manifest, decryptor, path, signal);
  }
  return paths;
}
