// The auditor's check of stored backups: every artifact of every manifest in a window exists, has the
// recorded size and sha256, decrypts and decompresses to the end, and passes its source's check (a dump's footer);
// a differential's full is there as it names it (check-chain.ts).
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupStore } from '../destinations/backup-store.js';
import { artifactFormat } from '../layout/artifact-format.js';
import { BackupError, toBackupError } from '../shared/backup-error.js';
import { sourceOf, sources } from '../sources/registry.js';
import type { PositionedDump, StreamVerdict } from '../sources/source.js';
import { ChecksumGate } from '../transforms/checksum-gate.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import { backupEntries, isStored, type BackupEntry } from './backup-entries.js';
import { chainProblem } from './check-chain.js';
import { findGaps, type Gap } from './find-gaps.js';
import { loadCatalog } from './manifest-catalog.js';
import { discard, readArtifact } from './read-artifact.js';

export interface VerifyQuery {
  prefix: string;
  since: Date;
  host?: string;
  asset?: string;
  now: Date;
  signal: AbortSignal;
}

/** The verdict on one artifact. */
export interface ArtifactVerdict {
  entry: BackupEntry;
  ok: boolean;
  /** `sha256 ok, 1.2 MiB decompressed` or what is wrong. */
  message: string;
  /** Plaintext bytes read to the end. */
  plaintext_bytes?: number;
}

export interface VerifyResult {
  verdicts: ArtifactVerdict[];
  /** Manifests that could not be read or trusted. */
  unreadable: string[];
  gaps: Gap[];
  manifests: number;
  /** Streams stored beside the runs (binlog series), as their sources judged them. */
  streams: StreamVerdict[];
}

/** Verifies every artifact in the window, one at a time (memory stays bounded); never throws for a bad artifact. */
export async function verifyBackups(
  store: BackupStore,
  decryptor: DecryptorPlan | undefined,
  query: VerifyQuery,
): Promise<VerifyResult> {
  const { entries: catalog, problems } = await loadCatalog(
    store,
    { prefix: query.prefix, since: query.since, ...(query.host ? { host: query.host } : {}), signal: query.signal },
    decryptor,
  );
  const entries = backupEntries(catalog).filter((e) => query.asset === undefined || e.asset === query.asset);
  const verdicts: ArtifactVerdict[] = [];
  const chain = { store, decryptor, prefix: query.prefix, known: backupEntries(catalog), signal: query.signal };
  for (const entry of entries) {
    query.signal.throwIfAborted();
    const verdict = await verifyArtifact(store, decryptor, entry, query.signal);
    const broken = isStored(entry) ? await chainProblem(entry, chain) : undefined;
    verdicts.push(broken === undefined ? verdict : { ...verdict, ok: false, message: `${broken}; ${verdict.message}` });
  }
  return {
    verdicts,
    unreadable: problems.map((p) => p.message),
    gaps: findGaps(entries, query.since, query.now),
    manifests: catalog.length,
    streams: await verifyStreams(store, decryptor, query, positionedDumps(backupEntries(catalog))),
  };
}

/** The stored dumps that recorded a binlog position, oldest first. */
function positionedDumps(entries: BackupEntry[]): PositionedDump[] {
  return entries
    .flatMap(({ host, asset, label, started_at, key, binlog, status }) =>
      isStored({ status }) && binlog !== undefined ? [{ host, asset, label, started_at, key, binlog }] : [],
    )
    .reverse();
}

/** Asks every source that stores streams of its own (binlog series) to verify them. */
async function verifyStreams(
  store: BackupStore,
  decryptor: DecryptorPlan | undefined,
  query: VerifyQuery,
  dumps: PositionedDump[],
): Promise<StreamVerdict[]> {
  const verdicts: StreamVerdict[] = [];
  for (const source of sources) {
    if (source.verifyStreams === undefined) continue;
    verdicts.push(
      ...(await source.verifyStreams({
        store,
        prefix: query.prefix,
        host: query.host,
        asset: query.asset,
        dumps,
        read: (object, ...sinks) => readArtifact(object, { store, decryptor, signal: query.signal }, ...sinks),
        signal: query.signal,
      })),
    );
  }
  return verdicts;
}

async function verifyArtifact(
  store: BackupStore,
  decryptor: DecryptorPlan | undefined,
  entry: BackupEntry,
  signal: AbortSignal,
): Promise<ArtifactVerdict> {
  const where = store.locate(entry.key);
  if (!isStored(entry))
    return {
      entry,
      ok: false,
      message: `${where}: the backup failed when it was taken (manifest status ${entry.status}${entry.error ? `: ${entry.error}` : ''})`,
    };
  try {
    const { size } = await store.stat(entry.key, signal);
    if (size !== entry.bytes_stored)
      return {
        entry,
        ok: false,
        message: `${where}: size mismatch: the object has ${size} bytes, the manifest says ${entry.bytes_stored}`,
      };
    const counter = byteCounter();
    const check = await sourceOf(entry.type)?.plaintextCheck?.();
    try {
      await readArtifact(
        entry.record,
        { store, decryptor, signal },
        counter,
        ...(check ? [check.stage] : []),
        discard(),
      );
    } catch (error) {
      // A damaged object often breaks decompression before the hash is complete: say whether the stored bytes match.
      if (error instanceof BackupError && (error.code === 'RESTORE_FAILED' || error.code === 'DECRYPT_FAILED')) {
        const integrity = await hashOnly(store, entry, signal);
        if (integrity)
          return {
            entry,
            ok: false,
            message: `${integrity.message}; ${error.message.startsWith(`${where}: `) ? error.message.slice(where.length + 2) : error.message}`,
          };
      }
      throw error;
    }
    const problem = check?.problem(where, entry.asset);
    if (problem !== undefined) return { entry, ok: false, message: problem, plaintext_bytes: counter.bytes };
    const format = artifactFormat(entry.key);
    const steps =
      [format.encrypted && 'decrypts', format.compression !== 'none' && 'decompresses'].filter(Boolean).join(' and ') ||
      'reads';
    return {
      entry,
      ok: true,
      message: `size and sha256 match; ${steps} to the end (${counter.bytes} bytes)${check ? `; ${check.passed}` : ''}`,
      plaintext_bytes: counter.bytes,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return { entry, ok: false, message: toBackupError(error).message };
  }
}

/** Reads the object once more only to hash it; returns the integrity error, or undefined when it matches. */
async function hashOnly(store: BackupStore, entry: BackupEntry, signal: AbortSignal): Promise<BackupError | undefined> {
  const gate = new ChecksumGate({
    sha256: entry.sha256 ?? '',
    bytes: entry.bytes_stored,
    location: store.locate(entry.key),
  });
  try {
    await pipeline(await store.open(entry.key, signal), gate, discard(), { signal });
    return undefined;
  } catch (error) {
    return error instanceof BackupError && error.code === 'INTEGRITY_FAILED' ? error : undefined;
  }
}

/** A pass-through that counts the bytes it passes. */
function byteCounter(): PassThrough & { bytes: number } {
  const counter = Object.assign(new PassThrough({ highWaterMark: 1024 * 1024 }), { bytes: 0 });
  counter.on('data', (chunk: Buffer) => {
    counter.bytes += chunk.length;
  });
  return counter;
}
