// Compression stages: zstd (the zstd binary, else Node's zlib zstd), gzip (zlib), or none.
import { constants as zlibConstants, createGzip } from 'node:zlib';
import * as zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { BackupError } from '../shared/backup-error.js';
import { childStage, type ChildCommand } from '../shared/child-process.js';
import { findOnPath } from '../shared/find-on-path.js';

export type { ChildCommand } from '../shared/child-process.js';

export type Algorithm = 'zstd' | 'gzip' | 'none';

/** File extension appended for each algorithm. */
export const compressionExtension: Record<Algorithm, string> = { zstd: 'zst', gzip: 'gz', none: '' };

/** The default level of each algorithm. */
export const defaultLevel = { zstd: 3, gzip: 6, none: undefined } as const;

/** How a Compressor is carried out, for --dry-run and logs. */
export interface CompressorPlan {
  algorithm: Algorithm;
  level: number | undefined;
  /** `zstd binary /usr/bin/zstd -3 -T0`, `node zlib gzip -6`, `none`. */
  engine: string;
  /** Creates one stage; undefined for `none`. */
  create(signal: AbortSignal): Duplex | undefined;
  /** The program, when compression is a child process: a source may then write into it directly. */
  command?: ChildCommand;
}

type ZstdFactory = (options: { params: Record<number, number> }) => Duplex;

/**
 * Chooses how to compress. zstd prefers the `zstd` binary (multi-threaded, ~2x Node's
 * single-threaded zlib zstd here), falling back to `zlib.createZstdCompress` (Node >= 22.15).
 * Throws SOURCE_MISSING_TOOL when zstd is asked for and neither exists.
 */
export async function planCompressor(
  algorithm: Algorithm,
  level?: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CompressorPlan> {
  if (algorithm === 'none') return { algorithm, level: undefined, engine: 'none', create: () => undefined };
  const chosen = level ?? defaultLevel[algorithm];
  if (algorithm === 'gzip') {
    return {
      algorithm,
      level: chosen,
      engine: `node zlib gzip -${chosen}`,
      create: () => createGzip({ level: chosen }),
    };
  }
  const binary = await findOnPath('zstd', env);
  if (binary) {
    const command = { file: binary, args: ['-q', '-c', `-${chosen}`, '-T0', '--no-progress'] };
    return {
      algorithm,
      level: chosen,
      engine: `zstd binary ${binary} ${command.args.slice(2).join(' ')}`,
      command,
      create: (signal) => childStage(command, signal),
    };
  }
  const createZstd = (zlib as unknown as { createZstdCompress?: ZstdFactory }).createZstdCompress;
  const levelParam = (zlibConstants as unknown as Record<string, number>).ZSTD_c_compressionLevel;
  if (createZstd && levelParam !== undefined) {
    return {
      algorithm,
      level: chosen,
      engine: `node zlib zstd -${chosen}`,
      create: () => createZstd({ params: { [levelParam]: chosen } }),
    };
  }
  throw new BackupError(
    'SOURCE_MISSING_TOOL',
    `compression zstd: no zstd binary on PATH and this Node ${process.version} has no zlib zstd (install the zstd package, use Node >= 22.15, or set compression.algorithm: gzip)`,
  );
}
