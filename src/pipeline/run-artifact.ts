// Streams one artifact: source -> count -> compress -> count + sha256 -> destination, under one signal.
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { Destination } from '../destinations/destination.js';
import { BackupError, isAbortError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import type { SourceItem } from '../sources/source.js';
import type { CompressorPlan } from '../transforms/compress.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import { Measure } from '../transforms/measure.js';
import { artifactLabel, newRecord, type ArtifactRecord } from './manifest.js';
import type { ProgressTracker } from './progress.js';

const CONTENT_TYPES: Record<string, string> = { zstd: 'application/zstd', gzip: 'application/gzip' };

export interface ArtifactJob {
  asset: string;
  type: string;
  item: SourceItem;
  key: string;
  compressor: CompressorPlan;
  encryptor: EncryptorPlan;
  destination: Destination;
  signal: AbortSignal;
  logger: Logger;
  /** Shown on a TTY; absent otherwise (then sources skip their progress bookkeeping). */
  progress?: ProgressTracker | undefined;
}

/** Runs one artifact to the end and returns its record; never throws (failures are in the record). */
export async function runArtifact(job: ArtifactJob): Promise<ArtifactRecord> {
  const { asset, type, item, key, compressor, encryptor, destination, signal } = job;
  const started = performance.now();
  const label = artifactLabel(type, asset, item.label);
  const record = newRecord({
    asset, type, label: item.label, key, location: destination.locate(key), compression: compressor.engine,
    encryption: encryptor.extension ? encryptor.engine : undefined,
  });
  const counted = new Measure({ hash: false }); // unused when the source counts (fused tar -> zstd)
  const stored = new Measure({ hash: true });
  let report: ReturnType<SourceItem['open']>['report'] | undefined;
  let streamError: unknown;
  const stageOf = new Map<unknown, string>();
  let writeError: unknown;
  let shown: { end(): void } | undefined;
  try {
    // A child-process source and a compressor program are joined by a kernel pipe (tar -> zstd).
    const fused = compressor.command !== undefined && item.openCompressed !== undefined;
    const openOptions = { progress: job.progress !== undefined };
    const opened = fused ? item.openCompressed!(signal, compressor.command!, openOptions) : item.open(signal, openOptions);
    report = opened.report;
    shown = job.progress?.begin(label, {
      read: () => opened.progress?.read() ?? counted.bytes,
      stored: () => stored.bytes,
      total: () => opened.progress?.total(),
    });
    const compress = fused ? undefined : compressor.create(signal);
    const encrypt = encryptor.create(signal);
    // Remember which child stage an error came from, so the message names it.
    compress?.once('error', (error) => stageOf.set(error, 'compression'));
    encrypt?.once('error', (error) => stageOf.set(error, 'encryption'));
    const stages = [opened.stream, ...(fused ? [] : [counted]), ...(compress ? [compress] : []), ...(encrypt ? [encrypt] : []), stored] as const;
    const settled = new Promise<void>((resolve) => {
      pipeline([...stages] as unknown as [Readable, ...NodeJS.WritableStream[]], (error) => {
        streamError = error ?? undefined;
        resolve();
      });
    });
    const contentType = encrypt ? 'application/octet-stream' : (CONTENT_TYPES[compressor.algorithm] ?? 'application/octet-stream');
    await destination.write(key, stored, { signal, contentType }).catch((error: unknown) => {
      writeError = error;
    });
    await settled;
  } catch (error) {
    writeError = error;
  } finally {
    shown?.end();
  }
  record.duration_ms = Math.round(performance.now() - started);
  record.bytes_read = report?.bytesRead ?? counted.bytes;
  if (report) Object.assign(record, { skipped: report.skipped, warnings: report.warnings, omitted: report.omitted });
  // The destination rethrows the body's error unchanged, so writeError is the first cause either way.
  const failure = writeError ?? streamError;
  if (failure !== undefined) {
    record.error = describeFailure(failure, label, signal, stageOf.get(failure));
    job.logger.error(record.error, { asset, key });
    return record;
  }
  record.bytes_stored = stored.bytes;
  record.sha256 = stored.sha256();
  record.status = record.skipped.length > 0 || record.omitted > 0 ? 'partial' : 'ok';
  return record;
}

/** One line naming the asset, the action and the cause. */
function describeFailure(error: unknown, label: string, signal: AbortSignal, stage: string | undefined): string {
  if (signal.aborted || isAbortError(error)) return `${label}: interrupted; the unfinished upload was abandoned`;
  const e = error as Error;
  const message = error instanceof BackupError ? error.message : stage ? `${stage} failed: ${e.message}` : `${e?.message ?? String(error)}`;
  return message.startsWith(label.split(' (')[0]!) ? message : `${label}: ${message}`;
}
