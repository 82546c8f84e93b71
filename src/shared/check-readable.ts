// Tells whether this process can read a file by opening it, as the read itself will: access(2)
// checks the real uid without capabilities and so denies what CAP_DAC_READ_SEARCH (the systemd
// unit's way of reading) allows.
import { constants, open } from 'node:fs/promises';

/**
 * Resolves if `path` can be opened for reading; rejects with the open's error (ENOENT, EACCES,
 * EISDIR is not detected). O_NONBLOCK, so that a named pipe does not wait for a writer.
 */
export async function checkReadable(path: string): Promise<void> {
  await (await open(path, constants.O_RDONLY | constants.O_NONBLOCK)).close();
}
