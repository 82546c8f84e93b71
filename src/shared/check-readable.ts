// Tells whether this process can read a file by opening it, as the read itself will: access(2)
// checks the real uid without capabilities and so denies what CAP_DAC_READ_SEARCH (the systemd
// unit's way of reading) allows.
import { constants, open } from 'node:fs/promises';

/** How {@link checkReadable} opens. */
export interface CheckReadableOptions {
  /** false: a symlink at `path` fails (ELOOP) instead of being followed (default true). */
  followSymlinks?: boolean;
}

/**
 * Resolves if `path` can be opened for reading; rejects with the open's error (ENOENT, EACCES,
 * ELOOP; EISDIR is not detected). O_NONBLOCK, so that a named pipe does not wait for a writer.
 */
export async function checkReadable(path: string | Buffer, options: CheckReadableOptions = {}): Promise<void> {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.followSymlinks === false ? constants.O_NOFOLLOW : 0);
  await (await open(path, flags)).close();
}
