// Walks configured paths depth-first without following symlinks, applying exclude globs.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { SkippedPath } from './source.js';

/** Builds the exclude test: globs match absolute paths; a pattern without `/` matches base names. */
export function createExcluder(patterns: string[]): (path: string) => boolean {
  if (patterns.length === 0) return () => false;
  return picomatch(patterns, { dot: true, basename: true });
}

/**
 * Yields every path under `roots` (each root first, then its entries, sorted by name), skipping
 * excluded paths and not descending into excluded directories. Directories that cannot be read
 * are still yielded (as empty) and reported through `onSkip`.
 */
export async function* walkFiles(
  roots: string[],
  isExcluded: (path: string) => boolean,
  onSkip: (skip: SkippedPath) => void,
  signal: AbortSignal,
): AsyncGenerator<string> {
  for (const root of roots) {
    if (isExcluded(root)) continue;
    yield root;
    yield* walkDirectory(root, isExcluded, onSkip, signal, true);
  }
}

async function* walkDirectory(
  dir: string,
  isExcluded: (path: string) => boolean,
  onSkip: (skip: SkippedPath) => void,
  signal: AbortSignal,
  isRoot: boolean,
): AsyncGenerator<string> {
  signal.throwIfAborted();
  let entries: { name: string; isDirectory: boolean }[];
  try {
    const handle = await opendir(dir);
    entries = [];
    for await (const entry of handle) entries.push({ name: entry.name, isDirectory: entry.isDirectory() });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' && isRoot) return; // a root that is a file
    onSkip({ path: dir, reason: describeFsError(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isExcluded(path)) continue;
    yield path;
    if (entry.isDirectory) yield* walkDirectory(path, isExcluded, onSkip, signal, false);
  }
}

/** A short reason for a filesystem error: "permission denied", "no such file or directory". */
export function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? error);
  }
}
