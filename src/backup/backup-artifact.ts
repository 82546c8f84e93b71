// backupArtifact, the innermost layer of a run (backupRun > writeRun > backupAsset > backupArtifact).
// Streams one artifact: source -> count -> compress -> count + sha256 -> destination, under one signal
// that the run (interrupt, max_run_time) or the artifact's stall watchdog aborts.
import { pipeline } from 'node:stream';
import type { Duplex, Readable } from 'node:stream';
import type { Destination } from '../destinations/destination.js';
import { artifactLabel, newRecord, type ArtifactRecord } from '../layout/manifest.js';
import { BackupError, isAbortError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import { must } from '../shared/must.js';
import type { OpenOptions, SourceItem, SourceStream } from '../sources/source.js';
import type { CompressorPlan } from '../transforms/compress.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import { Measure } from '../transforms/measure.js';
import type { ProgressTracker } from './progress.js';
import { stopReason } from './run-deadline.js';
import { describeStall, watchForStall, type WatchedStage } from './stall-watchdog.js';

const CONTENT_TYPES: Record<string, string> = { zstd: 'application/zstd', gzip: 'application/gzip' };

export interface BackupArtifactInput {
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
  /** stall_timeout, ms. */
  stallTimeoutMs: number;
}

/** Runs one artifact to the end and returns its record; never throws (failures are in the record). */
export async function backupArtifact(input: BackupArtifactInput): Promise<ArtifactRecord> {
  const { asset, type, item, key, compressor, encryptor, destination } = input;
  const stall = new AbortController();
  const signal = AbortSignal.any([input.signal, stall.signal]);
  const started = performance.now();
  const label = artifactLabel(type, asset, item.label);
  const record = newRecord({
    asset,
    type,
    label: item.label,
    key,
    location: destination.locate(key),
    compression: compressor.engine,
    encryption: encryptor.extension ? encryptor.engine : undefined,
  });
  const counted = new Measure({ hash: false }); // unused when the source counts (fused tar -> zstd)
  const stored = new Measure({ hash: true });
  let report: ReturnType<SourceItem['open']>['report'] | undefined;
  let streamError: unknown;
  const stageOf = new Map<unknown, string>();
  let writeError: unknown;
  let shown: { end(): void } | undefined;
  let unwatch: (() => void) | undefined;
  try {
    const { opened, fused } = openItem(item, compressor, signal, { progress: input.progress !== undefined });
    report = opened.report;
    shown = input.progress?.begin(label, {
      read: () => opened.progress?.read() ?? counted.bytes,
      stored: () => stored.bytes,
      total: () => opened.progress?.total(),
    });
    const compress = fused ? undefined : compressor.create(signal);
    const encrypt = encryptor.create(signal);
    // Remember which child stage an error came from, so the message names it.
    compress?.once('error', (error) => stageOf.set(error, 'compression'));
    encrypt?.once('error', (error) => stageOf.set(error, 'encryption'));
    unwatch = watchForStall({
      timeoutMs: input.stallTimeoutMs,
      meters: [() => opened.progress?.read(), () => counted.bytes, () => stored.bytes],
      stages: watchedStages(opened, compress, encrypt, stored),
      onStall: (stage) =>
        stall.abort(new BackupError('STALLED', describeStall(stage, input.stallTimeoutMs), { asset })),
    });
    const stages = [
      opened.stream,
      ...(fused ? [] : [counted]),
      ...(compress ? [compress] : []),
      ...(encrypt ? [encrypt] : []),
      stored,
    ] as const;
    const settled = new Promise<void>((resolve) => {
      pipeline([...stages] as unknown as [Readable, ...NodeJS.WritableStream[]], (error) => {
        streamError = error ?? undefined;
        resolve();
      });
    });
    const contentType = encrypt
      ? 'application/octet-stream'
      : (CONTENT_TYPES[compressor.algorithm] ?? 'application/octet-stream');
    await destination.write(key, stored, { signal, contentType }).catch((error: unknown) => {
      writeError = error;
    });
    await settled;
  } catch (error) {
    writeError = error;
  } finally {
    unwatch?.();
    shown?.end();
  }
  record.duration_ms = Math.round(performance.now() - started);
  record.bytes_read = report?.bytesRead ?? counted.bytes;
  if (report) Object.assign(record, { skipped: report.skipped, warnings: report.warnings, omitted: report.omitted });
  if (report?.incremental) record.incremental = report.incremental;
  if (report?.physical) record.physical = report.physical;
  // The destination rethrows the body's error unchanged, so writeError is the first cause either way.
  const failure = writeError ?? streamError;
  if (report?.contents && failure === undefined) record.contents = report.contents;
  if (report?.binlog && failure === undefined) record.binlog = report.binlog;
  if (failure !== undefined) {
    record.error = describeFailure(failure, label, signal, stageOf.get(failure));
    input.logger.error(record.error, { asset, key });
    return record;
  }
  record.bytes_stored = stored.bytes;
  record.sha256 = stored.sha256();
  record.status = record.skipped.length > 0 || record.omitted > 0 ? 'partial' : 'ok';
  return record;
}

/**
 * Opens the item's stream: fused when the source can feed the compressor program itself (a child-process
 * source and the compressor joined by a kernel pipe, tar -> zstd), else plain for compression in Node.
 */
function openItem(
  item: SourceItem,
  compressor: CompressorPlan,
  signal: AbortSignal,
  options: OpenOptions,
): { opened: SourceStream; fused: boolean } {
  if (compressor.command !== undefined && item.openCompressed !== undefined)
    return { opened: item.openCompressed(signal, compressor.command, options), fused: true };
  return { opened: item.open(signal, options), fused: false };
}

/**
 * What the stall watchdog watches after the source, downstream first: data waiting in `stored` (or all
 * of it handed over) means the upload is not taking it; data waiting at a stage's input means that
 * stage stopped. Inside the source, only a compressor it feeds through Node can be seen (tar writes
 * into zstd through a kernel pipe: that pair is one stage, the source).
 */
function watchedStages(
  opened: SourceStream,
  compress: Duplex | undefined,
  encrypt: Duplex | undefined,
  stored: Measure,
): WatchedStage[] {
  return [
    { name: 'upload', blocked: () => stored.writableEnded || stored.readableLength > 0 },
    ...(encrypt ? [{ name: 'encryption' as const, blocked: () => encrypt.writableLength > 0 }] : []),
    ...(compress ? [{ name: 'compressor' as const, blocked: () => compress.writableLength > 0 }] : []),
    ...(opened.compressorBlocked ? [{ name: 'compressor' as const, blocked: opened.compressorBlocked }] : []),
  ];
}

/** One line naming the asset, the action and the cause. */
function describeFailure(error: unknown, label: string, signal: AbortSignal, stage: string | undefined): string {
  if (signal.aborted || isAbortError(error))
    return `${label}: ${stopReason(signal)}; the unfinished upload was abandoned`;
  // Usually an Error, but a stream may fail with anything: nothing on it is certain.
  const e = error as { message?: string } | null | undefined;
  const message =
    error instanceof BackupError
      ? error.message
      : stage
        ? `${stage} failed: ${String(e?.message)}`
        : (e?.message ?? String(error));
  return message.startsWith(must(label.split(' (')[0], "the asset part of the artifact's label"))
    ? message
    : `${label}: ${message}`;
}
