// Whether a local destination directory takes a backup: a small file written the way artifacts are,
// then removed with every folder the write created, so `check` leaves the host as it found it.
import { rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { LocalDestinationConfig } from '../config/schema.js';
import { errorText, fail, ok, type CheckResult } from '../shared/check-result.js';
import { plannedDirectory } from '../shared/planned-directory.js';
import { createLocalDestination } from './local-destination.js';

/**
 * Writes `key` (under `{prefix}_check/`) through the local destination and removes it again. A
 * destination directory that does not exist yet is not created: the result says whether the first
 * run could create it.
 */
export async function probeLocal(
  config: LocalDestinationConfig,
  key: string,
  signal: AbortSignal,
): Promise<CheckResult> {
  const planned = await plannedDirectory(config.path);
  if (!planned.exists) {
    return planned.problem === undefined
      ? ok(
          'local destination',
          `${config.path} does not exist yet: the first run creates it (mode 0700) in ${planned.ancestor}, which is writable`,
        )
      : fail(
          'local destination',
          `${config.path} does not exist and cannot be created in ${planned.ancestor}: ${planned.problem} (destination.path must be writable by the backup user)`,
        );
  }
  const destination = createLocalDestination(config);
  const path = destination.locate(key);
  const created = await firstMissing(config.path, dirname(path));
  try {
    await destination.write(key, Readable.from([Buffer.from('backup-agent check\n')]), {
      signal,
      contentType: 'text/plain',
    });
  } catch (error) {
    return fail(
      'local destination',
      `${errorText(error)} (destination.path ${config.path} must be writable by the backup user)`,
    );
  }
  await unlink(path).catch(() => undefined);
  // Remove the folders this write created; one still in use by a concurrent check stays.
  if (created !== undefined) {
    for (let dir = dirname(path); dir.length >= created.length; dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break;
    }
  }
  return ok('local destination', `${config.path} is writable (a test file was written atomically and removed)`);
}

/** The shallowest folder between `root` (exists) and `dir` that does not exist yet, or undefined. */
async function firstMissing(root: string, dir: string): Promise<string | undefined> {
  let current = root;
  for (const part of relative(root, dir).split('/').filter(Boolean)) {
    current = `${current}/${part}`;
    if (
      !(await stat(current).then(
        () => true,
        () => false,
      ))
    )
      return current;
  }
  return undefined;
}
