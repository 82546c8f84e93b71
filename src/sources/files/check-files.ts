// Preflight of a files asset: every configured path exists and every file and directory the backup
// would include can be opened by this process, found with the same walker and excludes as `run`.
import { lstat } from 'node:fs/promises';
import type { FilesAssetConfig } from './files-asset-schema.js';
import { fail, ok, type CheckResult } from '../../shared/check-result.js';
import { checkReadable } from '../../shared/check-readable.js';
import { must } from '../../shared/must.js';
import { formatBytes } from '../../config/sizes.js';
import { displayFileName, fsPath } from './file-names.js';
import { resolveRoots } from './plan-files.js';
import type { SkippedPath } from '../source.js';
import { TarSizeEstimate } from './tar-size.js';
import { createExcluder, describeFsError, walkFiles } from './walk-files.js';

/** How many unreadable paths a check line names (the count is exact). */
const SHOWN = 5;

/** What a walk of a files asset found. */
interface FilesInventory {
  files: number;
  directories: number;
  bytes: number;
  /** The archive tar would write for what was found. */
  archive: TarSizeEstimate;
  unreadable: SkippedPath[];
}

/**
 * Walks the asset like a backup would and opens every regular file (open(2) honours capabilities
 * such as CAP_DAC_READ_SEARCH, unlike access(2), which uses the real uid). Returns one result:
 * fail when a path is missing or anything cannot be read (the backup would be partial, exit 3).
 */
export async function checkFilesAsset(asset: FilesAssetConfig, signal: AbortSignal): Promise<CheckResult> {
  const check = `files "${asset.name}"`;
  const { roots, skipped } = await resolveRoots(asset.paths);
  if (roots.length === 0) {
    return fail(
      check,
      `none of the paths can be read: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}: the asset would fail; fix paths`,
    );
  }
  const found = await inventory(roots, createExcluder(asset.exclude), signal);
  const problems = [...skipped, ...found.unreadable];
  // File bytes and archive bytes differ by tar's headers and padding (a lot for small files): say which is which.
  const size =
    `${count(roots.length, 'path')}, ${count(found.files, 'file')}, ${count(found.directories, 'directory', 'directories')}, ` +
    `${formatBytes(found.bytes)} of file data (~${formatBytes(must(found.archive.total(), 'the archive size of a finished inventory'))} as a tar archive: run's READ)`;
  if (problems.length === 0) return ok(check, `${size}, all readable`);
  const named = problems
    .slice(0, SHOWN)
    .map((p) => `${p.path} (${p.reason})`)
    .join(', ');
  const more = problems.length > SHOWN ? ` and ${problems.length - SHOWN} more` : '';
  return fail(
    check,
    `${problems.length} path${problems.length === 1 ? '' : 's'} cannot be read: ${named}${more}; the backup would be partial (exit 3): fix the paths, grant read access (the systemd unit's CAP_DAC_READ_SEARCH) or add them to exclude (${size})`,
  );
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Walks `roots` with the backup's walker and opens each regular file to prove it is readable; paths found unreadable are shown escaped. */
async function inventory(
  roots: string[],
  isExcluded: (path: string) => boolean,
  signal: AbortSignal,
): Promise<FilesInventory> {
  const found: FilesInventory = { files: 0, directories: 0, bytes: 0, archive: new TarSizeEstimate(), unreadable: [] };
  const unreadable = (path: string, error: unknown) =>
    found.unreadable.push({ path: displayFileName(path), reason: describeFsError(error) });
  for await (const path of walkFiles(
    roots,
    isExcluded,
    (skip) => found.unreadable.push({ ...skip, path: displayFileName(skip.path) }),
    signal,
  )) {
    let stats;
    try {
      stats = await lstat(fsPath(path));
    } catch (error) {
      unreadable(path, error);
      continue;
    }
    found.archive.add(stats);
    if (stats.isDirectory()) found.directories += 1;
    if (!stats.isFile()) continue;
    found.files += 1;
    found.bytes += stats.size;
    try {
      // Never follows a symlink swapped in since the walk (the walker does not follow them either).
      await checkReadable(fsPath(path), { followSymlinks: false });
    } catch (error) {
      unreadable(path, error);
    }
  }
  found.archive.complete();
  return found;
}
