// Decompression stages for restore and verify: zstd (the zstd binary, else Node's zlib zstd), gzip (zlib), none.
import * as zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import { childStage, type ChildCommand } from '../shared/child-process.js';
import { findOnPath } from '../shared/find-on-path.js';
import type { Algorithm } from './compress.js';

/** How an artifact is decompressed. */
export interface DecompressorPlan {
  /** `zstd binary /usr/bin/zstd -d`, `node zlib gunzip`, `none`. */
  engine: string;
  /** Creates one stage; undefined for `none`. */
  create(signal: AbortSignal): Duplex | undefined;
  /** The program, when decompression is a child process: it may then write into a sink program directly. */
  command?: ChildCommand;
}

type Factory = () => Duplex;

/** Chooses a decompressor for `algorithm`; throws SOURCE_MISSING_TOOL for zstd with neither the binary nor zlib zstd. */
export async function planDecompressor(
  algorithm: Algorithm,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DecompressorPlan> {
  if (algorithm === 'none') return { engine: 'none', create: () => undefined };
  if (algorithm === 'gzip') return { engine: 'node zlib gunzip', create: () => zlib.createGunzip() };
  const binary = await findOnPath('zstd', env);
  if (binary !== undefined) {
    const command = { file: binary, args: ['-d', '-c', '-q'] };
    return { engine: `zstd binary ${binary} -d`, command, create: (signal) => childStage(command, signal) };
  }
  const createZstd = (zlib as unknown as { createZstdDecompress?: Factory }).createZstdDecompress;
  if (createZstd) return { engine: 'node zlib zstd', create: () => createZstd() };
  throw new BackupError(
    'SOURCE_MISSING_TOOL',
    `zstd: no zstd binary on PATH and this Node ${process.version} has no zlib zstd (install the zstd package or use Node >= 22.15)`,
  );
}
