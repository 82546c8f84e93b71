// Finds and reads the run manifests under `{prefix}{tier}/{day}/{host}/` across tiers: the index of what was backed up.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tierNames } from '../config/tiers.js';
import type { BackupStore } from '../destinations/backup-store.js';
import { stampTime } from '../layout/keys.js';
import type { Manifest } from '../layout/manifest.js';
import { BackupError, toBackupError } from '../shared/backup-error.js';
import { describeDecryptFailure } from '../transforms/decrypt-failure.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import { checkArtifactKeys, parseManifest } from './parse-manifest.js';

/** `20261122T031500Z[--random].manifest.json[.age]`, as written by manifestKey(). */
const MANIFEST_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(--[A-Za-z0-9_-]+)?\.manifest\.json(\.age)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HOST = /^[A-Za-z0-9._-]+$/;
/** Manifests are small; anything larger is not one of ours. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const READ_CONCURRENCY = 4;

/** A manifest found by its key, before it is read. */
export interface ManifestRef {
  key: string;
  tier: string;
  day: string;
  host: string;
  /** The run's start, from the key. */
  started: Date;
  encrypted: boolean;
}

export interface CatalogQuery {
  prefix: string;
  /** Only this host (default: every host in the bucket). */
  host?: string;
  /** Only runs started at or after this time. */
  since?: Date;
  /** Only this tier and day (`2026-11-22`): the manifests next to one artifact. */
  run?: { tier: string; day: string };
  signal: AbortSignal;
}

/** A manifest read and validated, with where it came from. */
export interface CatalogEntry {
  ref: ManifestRef;
  manifest: Manifest;
}

/** Lists manifest keys matching `query`, oldest first within each tier; reads none of them. */
export async function findManifests(store: BackupStore, query: CatalogQuery): Promise<ManifestRef[]> {
  const refs: ManifestRef[] = [];
  for (const tier of query.run ? [query.run.tier] : tierNames) {
    const tierPrefix = `${query.prefix}${tier}/`;
    // Keys sort by day, so S3 skips every older day instead of listing the whole history.
    const startAfter = query.since ? `${tierPrefix}${query.since.toISOString().slice(0, 10)}` : undefined;
    const listPrefix = query.run
      ? `${tierPrefix}${query.run.day}/${query.host !== undefined ? `${query.host}/` : ''}`
      : tierPrefix;
    for await (const object of store.list(listPrefix, {
      ...(startAfter ? { startAfter } : {}),
      signal: query.signal,
    })) {
      const parts = object.key.slice(tierPrefix.length).split('/');
      if (parts.length !== 3) continue;
      const [day, host, name] = parts as [string, string, string];
      const m = MANIFEST_NAME.exec(name);
      // Only the write side's layout: a day, a host that is one plain segment (never `..`), a manifest name.
      if (
        !m ||
        !DAY.test(day) ||
        !HOST.test(host) ||
        host === '.' ||
        host === '..' ||
        (query.host !== undefined && host !== query.host)
      )
        continue;
      const started = stampTime(name);
      if (query.since && started < query.since) continue;
      refs.push({ key: object.key, tier, day, host, started, encrypted: m[8] !== undefined });
    }
  }
  return refs;
}

/**
 * Reads and validates one manifest (decrypting `.age` ones with `decryptor`).
 * Throws USAGE when it is encrypted and no decryptor is given, DECRYPT_FAILED, MANIFEST_INVALID,
 * and the store's NOT_FOUND / DENIED errors.
 */
export async function readManifest(
  store: BackupStore,
  ref: ManifestRef,
  decryptor: DecryptorPlan | undefined,
  signal: AbortSignal,
): Promise<Manifest> {
  const where = store.locate(ref.key);
  let decryptWith: DecryptorPlan | undefined;
  if (ref.encrypted) {
    if (decryptor === undefined)
      throw new BackupError(
        'USAGE',
        `manifest ${where} is age-encrypted: pass --identity FILE (the age identity of the hosts' recipient)`,
      );
    decryptWith = decryptor;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > MAX_MANIFEST_BYTES)
        callback(
          new BackupError(
            'MANIFEST_INVALID',
            `manifest ${where}: larger than ${MAX_MANIFEST_BYTES} bytes: not a backup-agent manifest`,
          ),
        );
      else {
        chunks.push(chunk);
        callback();
      }
    },
  });
  const body = await store.open(ref.key, signal);
  const decrypt = decryptWith?.create(signal);
  try {
    await pipeline(
      [body, ...(decrypt ? [decrypt] : []), collect] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream],
      { signal },
    );
  } catch (error) {
    if (error instanceof BackupError) throw error;
    if (decrypt)
      throw new BackupError('DECRYPT_FAILED', `manifest ${where}: ${describeDecryptFailure(error)}`, { cause: error });
    throw toBackupError(error);
  }
  const manifest = parseManifest(Buffer.concat(chunks).toString('utf8'), where);
  if (manifest.host !== ref.host) {
    throw new BackupError(
      'MANIFEST_INVALID',
      `manifest ${where}: names host "${manifest.host}" but is stored under host "${ref.host}"`,
    );
  }
  checkArtifactKeys(manifest, ref.key, where);
  return manifest;
}

/**
 * Finds and reads every manifest matching `query`, newest first. A manifest that cannot be read is
 * returned as a problem (the rest still load); a missing identity for encrypted manifests throws USAGE.
 */
export async function loadCatalog(
  store: BackupStore,
  query: CatalogQuery,
  decryptor: DecryptorPlan | undefined,
): Promise<{ entries: CatalogEntry[]; problems: BackupError[] }> {
  const refs = (await findManifests(store, query)).sort(
    (a, b) => b.started.getTime() - a.started.getTime() || (a.key < b.key ? 1 : -1),
  );
  const encrypted = refs.find((r) => r.encrypted);
  if (encrypted && decryptor === undefined) await readManifest(store, encrypted, undefined, query.signal); // throws USAGE
  const results: (CatalogEntry | BackupError)[] = [];
  // One queue shared by the workers: each takes the next ref; results keep the refs' order.
  const queue = refs.entries();
  const worker = async () => {
    for (const [index, ref] of queue) {
      try {
        results[index] = { ref, manifest: await readManifest(store, ref, decryptor, query.signal) };
      } catch (error) {
        if (query.signal.aborted) throw error;
        results[index] = toBackupError(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, refs.length) }, worker));
  return {
    entries: results.filter((r): r is CatalogEntry => !(r instanceof BackupError)),
    problems: results.filter((r): r is BackupError => r instanceof BackupError),
  };
}
