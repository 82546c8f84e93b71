// Whether a local destination directory takes a backup: a small file written the way artifacts are, then removed.
import { rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { LocalDestinationConfig } from '../config/schema.js';
import { checkPrefix } from '../pipeline/keys.js';
import { errorText, fail, ok, type CheckResult } from '../shared/check-result.js';
import { createLocalDestination } from './local-destination.js';

/** Writes `key` (under `{prefix}_check/`) through the local destination, removes it again, and reports. */
export async function probeLocal(config: LocalDestinationConfig, key: string, signal: AbortSignal): Promise<CheckResult> {
  const destination = createLocalDestination(config);
  const path = destination.locate(key);
  try {
    await destination.write(key, Readable.from([Buffer.from('backup-agent check\n')]), { signal, contentType: 'text/plain' });
  } catch (error) {
    return fail('local destination', `${errorText(error)} (destination.path ${config.path} must be writable by the backup user)`);
  }
  await unlink(path).catch(() => undefined);
  // Remove the now empty check folders; a folder still in use by a concurrent check stays.
  const top = join(config.path, checkPrefix(config.prefix));
  for (let dir = dirname(path); dir.startsWith(top.replace(/\/$/, '')); dir = dirname(dir)) {
    if (!(await rmdir(dir).then(() => true, () => false))) break;
  }
  return ok('local destination', `${config.path} is writable (a test file was written atomically and removed)`);
}
