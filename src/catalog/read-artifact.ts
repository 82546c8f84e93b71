// The read pipeline of restore and verify: download -> size + sha256 check -> decrypt -> decompress -> sink.
import { Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupStore } from '../destinations/backup-store.js';
import { artifactFormat } from '../layout/artifact-format.js';
import type { ArtifactRecord } from '../layout/manifest.js';
import { BackupError, isAbortError } from '../shared/backup-error.js';
import { must } from '../shared/must.js';
import { releaseWhenSpawned } from '../shared/child-output.js';
import { startChild, tail, type ChildCommand } from '../shared/child-process.js';
import { ChecksumGate } from '../transforms/checksum-gate.js';
import { planDecompressor } from '../transforms/decompress.js';
import { describeDecryptFailure } from '../transforms/decrypt-failure.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';

/**
 * What to read: an artifact as its manifest recorded it. `plaintext`, when a manifest records the hash of
 * the decompressed bytes instead (a binlog segment's), is checked after decompression.
 */
export type ReadRecord = Pick<ArtifactRecord, 'key' | 'sha256' | 'bytes_stored'> & {
  plaintext?: { sha256: string; bytes: number };
};

export interface ReadOptions {
  store: BackupStore;
  /** Needed for `.age` artifacts. */
  decryptor: DecryptorPlan | undefined;
  signal: AbortSignal;
}

/** A sink that is a child's stdin (tar's): a decompressor program then writes into it by a kernel pipe. */
export interface ChildSink {
  stdin: Writable;
}

/**
 * Streams the plaintext of `record` into `sinks` (sed then mysql's stdin, a file; or, last, a
 * {@link ChildSink} such as tar: a zstd program then writes into it directly). Resolves when every byte was checked and written. Rejects with the first cause as a BackupError:
 * DESTINATION_NOT_FOUND / DESTINATION_DENIED (download), INTEGRITY_FAILED (size or sha256 differs
 * from the manifest: raised only after the last byte, so sinks must remove their output on any
 * rejection), DECRYPT_FAILED (wrong identity, damaged age file), RESTORE_FAILED (decompression),
 * INTERRUPTED; an error of a sink passes through unchanged.
 */
export async function readArtifact(
  record: ReadRecord,
  options: ReadOptions,
  ...sinks: (Duplex | Writable | ChildSink)[]
): Promise<void> {
  const { store, decryptor, signal } = options;
  const where = store.locate(record.key);
  const format = artifactFormat(record.key);
  if (record.sha256 === undefined && record.plaintext === undefined)
    throw new BackupError('MANIFEST_INVALID', `${where}: the manifest records no sha256 for it: it cannot be checked`);
  let decryptWith: DecryptorPlan | undefined;
  if (format.encrypted) {
    if (decryptor === undefined)
      throw new BackupError(
        'USAGE',
        `${where}: the backup is age-encrypted: pass --identity FILE (the age identity whose recipient the host encrypts to)`,
      );
    decryptWith = decryptor;
  }
  const decompressor = await planDecompressor(format.compression);
  const body = await options.store.open(record.key, signal);
  const gate = new ChecksumGate({ sha256: record.sha256, bytes: record.bytes_stored, location: where });
  const plain =
    record.plaintext && new ChecksumGate({ ...record.plaintext, location: where, subject: 'the plaintext' });
  const decrypt = decryptWith?.create(signal);
  const last = sinks[sinks.length - 1];
  const childSink = last !== undefined && isChildSink(last) ? last : undefined;
  // zstd straight into tar: the decompressed bytes never pass through Node.
  const fused =
    childSink !== undefined && decompressor.command !== undefined && plain === undefined
      ? spawnInto(decompressor.command, childSink, signal)
      : undefined;
  const decompress = fused ? undefined : decompressor.create(signal);
  const stageOf = new Map<unknown, 'download' | 'decryption' | 'decompression'>();
  body.once('error', (error) => stageOf.set(error, 'download'));
  decrypt?.once('error', (error) => stageOf.set(error, 'decryption'));
  decompress?.once('error', (error) => stageOf.set(error, 'decompression'));
  const tail = fused
    ? [...(sinks.slice(0, -1) as (Duplex | Writable)[]), must(fused.stdin, `${where}: the decompressor's stdin pipe`)]
    : sinks.map((s) => (isChildSink(s) ? s.stdin : s));
  const stages = [
    body,
    gate,
    ...(decrypt ? [decrypt] : []),
    ...(decompress ? [decompress] : []),
    ...(plain ? [plain] : []),
    ...tail,
  ];
  let failure: unknown;
  await pipeline(stages as unknown as [Readable, Writable], { signal }).catch((error: unknown) => {
    failure = error;
    fused?.kill('SIGKILL');
  });
  const decompressed = fused ? await fused : undefined;
  // The data's own failure (checksum, decryption) wins over a broken pipe into a decompressor that then died.
  if (failure instanceof BackupError) throw failure;
  if (failure !== undefined && stageOf.has(failure))
    throw explainReadError(failure, where, stageOf.get(failure), signal);
  if (decompressed !== undefined && decompressed.exitCode !== 0 && !signal.aborted) {
    throw explainReadError(decompressed, where, 'decompression', signal);
  }
  if (failure !== undefined) throw explainReadError(failure, where, undefined, signal);
}

/** A sink that drops what it is given (to read an artifact only for its checks). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

function isChildSink(sink: Duplex | Writable | ChildSink): sink is ChildSink {
  return !('write' in sink) && 'stdin' in sink;
}

/** Starts `command` writing into the child sink's stdin; Node's end of that pipe is closed once it runs. */
function spawnInto(command: ChildCommand, sink: ChildSink, signal: AbortSignal) {
  const child = startChild(command.file, command.args, {
    env: 'empty',
    signal,
    stdin: 'pipe',
    stdout: sink.stdin as unknown as NodeJS.WritableStream as never,
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
  });
  releaseWhenSpawned(child, sink.stdin);
  return child;
}

function explainReadError(
  error: unknown,
  where: string,
  stage: 'download' | 'decryption' | 'decompression' | undefined,
  signal: AbortSignal,
): unknown {
  if (signal.aborted || isAbortError(error))
    return new BackupError('INTERRUPTED', `${where}: interrupted`, { cause: error });
  if (error instanceof BackupError) return error;
  const e = error as { stderr?: unknown; message?: string };
  if (stage === 'decryption')
    return new BackupError('DECRYPT_FAILED', `${where}: ${describeDecryptFailure(error)}`, { cause: error });
  if (stage === 'decompression') {
    const text = typeof e.stderr === 'string' && e.stderr !== '' ? tail(e.stderr, 2) : (e.message ?? String(error));
    return new BackupError(
      'RESTORE_FAILED',
      `${where}: decompression failed: ${text} (the object is damaged; \`verify\` checks its sha256)`,
      { cause: error },
    );
  }
  if (stage === 'download')
    return new BackupError('RESTORE_FAILED', `${where}: download failed: ${e.message ?? String(error)}`, {
      cause: error,
    });
  return error;
}
