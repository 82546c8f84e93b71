// Ships one segment: a slice of a binlog file, compressed and encrypted as every artifact is, stored
// write-once under its key, then its manifest (data first, manifest last). A segment is at most
// MAX_SEGMENT bytes and is held in memory whole, so nothing is ever re-read from a half-consumed stream.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Destination } from '../../destinations/destination.js';
import { BackupError } from '../../shared/backup-error.js';
import type { CompressorPlan } from '../../transforms/compress.js';
import { compressionExtension } from '../../transforms/compress.js';
import type { EncryptorPlan } from '../../transforms/encryptor-plan.js';
import { segmentStem, type SegmentManifest } from './binlog-series.js';

/** The largest slice shipped as one segment (a backlog is shipped as several). */
export const MAX_SEGMENT = 16 * 1024 * 1024;

/** How segments are stored: the run's destination, compression and encryption. */
export interface SegmentStore {
  destination: Destination;
  compressor: CompressorPlan;
  encryptor: EncryptorPlan;
}

/** One segment to ship. */
export interface SegmentJob {
  host: string;
  asset: string;
  series: string;
  serverId: number;
  /** The series folder (binlog-series.ts seriesPrefix). */
  folder: string;
  segment: number;
  file: string;
  from: number;
  bytes: Buffer;
}

/** The stored form of `bytes`: through the compressor and encryptor stages, collected. */
async function storedForm(store: SegmentStore, bytes: Buffer, signal: AbortSignal): Promise<Buffer> {
  const stages = [store.compressor.create(signal), store.encryptor.create(signal)].filter((s) => s !== undefined);
  if (stages.length === 0) return bytes;
  const parts: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      done();
    },
  });
  await pipeline([Readable.from([bytes]), ...stages, collect], { signal });
  return Buffer.concat(parts);
}

/**
 * Writes `bytes` at `key`; an object already there (write-once: DESTINATION_EXISTS) is taken as this very
 * write having landed before a restart (the position pins the slice, so its bytes are the same) and reported to `existed`.
 */
async function writeOnce(
  store: SegmentStore,
  key: string,
  bytes: Buffer,
  contentType: string,
  signal: AbortSignal,
  existed: (key: string) => void,
): Promise<void> {
  await store.destination.write(key, Readable.from([bytes]), { signal, contentType }).catch((error: unknown) => {
    if (!(error instanceof BackupError && error.code === 'DESTINATION_EXISTS')) throw error;
    existed(key);
  });
}

/** Stores the segment, then its manifest; resolves to the manifest. Rejects with the destination's error. */
export async function shipSegment(
  store: SegmentStore,
  job: SegmentJob,
  signal: AbortSignal,
  existed: (key: string) => void,
): Promise<SegmentManifest> {
  const to = job.from + job.bytes.length;
  const stem = segmentStem(job.folder, job.segment, job.file, job.from, to);
  const extensions = ['binlog', compressionExtension[store.compressor.algorithm], store.encryptor.extension];
  const key = `${stem}.${extensions.filter(Boolean).join('.')}`;
  const stored = await storedForm(store, job.bytes, signal);
  await writeOnce(store, key, stored, 'application/octet-stream', signal, existed);
  const manifest: SegmentManifest = {
    format: 'backup-agent-binlog-segment',
    version: 1,
    host: job.host,
    asset: job.asset,
    series: job.series,
    server_id: job.serverId,
    segment: job.segment,
    file: job.file,
    from: job.from,
    to,
    sha256: createHash('sha256').update(job.bytes).digest('hex'),
    key,
    bytes_stored: stored.length,
    compression: store.compressor.algorithm,
    ...(store.encryptor.extension ? { encryption: store.encryptor.engine } : {}),
    shipped_at: new Date().toISOString(),
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeOnce(store, `${stem}.json`, Buffer.from(text), 'application/json', signal, existed);
  return manifest;
}
