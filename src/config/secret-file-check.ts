// One secret file judged as OpenSSH judges a private key: readable by us, by nobody else. Apart from
// secret-files.ts (which walks the whole config, through the source registry) so decrypt can use it.
import { stat } from 'node:fs/promises';
import { checkReadable } from '../shared/check-readable.js';

/** A secret file the config points at, and how messages name it. */
export interface SecretFile {
  /** e.g. `key_file`, `mysql "shop" password_file`, `encryption.passphrase_file`. */
  label: string;
  path: string;
}

/** Returns the problem with one secret file, or undefined if it is readable and private to its owner. */
export async function checkSecretFile({ label, path }: SecretFile): Promise<string | undefined> {
  let mode: number;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return `cannot read ${label} ${path}: EISDIR`;
    await checkReadable(path);
    mode = stats.mode;
  } catch (error) {
    return `cannot read ${label} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  if ((mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  return `${label} ${path} is accessible by group/others (mode ${octal}): run chmod 600 ${path}`;
}
