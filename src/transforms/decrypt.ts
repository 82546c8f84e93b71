// Decryption stage for age files: the `age` binary when present, else the age-encryption JS library.
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { checkSecretFile } from '../config/secret-file-check.js';
import { BackupError } from '../shared/backup-error.js';
import { childStage } from '../shared/child-process.js';
import { findOnPath } from '../shared/find-on-path.js';
import { webStreamStage } from './web-stream-stage.js';

/** How age files are decrypted, for messages. */
export interface DecryptorPlan {
  /** `age binary /usr/bin/age, identity key.txt`, `age-encryption (JS), ...`. */
  engine: string;
  /** Creates one stage: age file in, plaintext out. */
  create(signal: AbortSignal): Duplex;
}

export interface DecryptorOptions {
  /** `--identity FILE`: age identities (AGE-SECRET-KEY-1...), one per line, # comments allowed. */
  identityFile?: string;
  /** The passphrase file of a passphrase-mode config (scrypt; decrypted with the JS library). */
  passphraseFile?: string;
}

/**
 * Chooses how to decrypt, or returns undefined when neither an identity nor a passphrase is given.
 * Throws BackupError USAGE for an identity file that is unreadable, readable by group/others, holds
 * a recipient (public key) instead of an identity, or holds no identity at all.
 */
export async function planDecryptor(
  options: DecryptorOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DecryptorPlan | undefined> {
  if (options.identityFile !== undefined) {
    const file = options.identityFile;
    const identities = await readIdentities(file);
    const binary = await findOnPath('age', env);
    if (binary !== undefined) {
      return {
        engine: `age binary ${binary}, identity ${file}`,
        create: (signal) => childStage({ file: binary, args: ['--decrypt', '-i', file] }, signal),
      };
    }
    const decrypter = new Decrypter();
    for (const identity of identities) decrypter.addIdentity(identity);
    return {
      engine: `age-encryption (JS), identity ${file} (no age binary on PATH)`,
      create: (signal) => webStreamStage((input) => decrypter.decrypt(input), signal),
    };
  }
  if (options.passphraseFile !== undefined) {
    const problem = await checkSecretFile({ label: 'encryption.passphrase_file', path: options.passphraseFile });
    if (problem) throw new BackupError('USAGE', problem);
    const passphrase = (await readFile(options.passphraseFile, 'utf8')).split(/\r?\n/, 1)[0] ?? '';
    if (passphrase === '')
      throw new BackupError(
        'USAGE',
        `encryption.passphrase_file ${options.passphraseFile}: the first line (the passphrase) is empty`,
      );
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    return {
      engine: 'age-encryption (JS), passphrase',
      create: (signal) => webStreamStage((input) => decrypter.decrypt(input), signal),
    };
  }
  return undefined;
}

/** The identities in `file`; never quotes them in errors. */
async function readIdentities(file: string): Promise<string[]> {
  const problem = await checkSecretFile({ label: '--identity', path: file });
  if (problem) throw new BackupError('USAGE', problem);
  const lines = (await readFile(file, 'utf8'))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.some((l) => l.startsWith('age1'))) {
    throw new BackupError(
      'USAGE',
      `--identity ${file} holds a recipient (age1..., the public key); pass the identity file (AGE-SECRET-KEY-1...) made by age-keygen`,
    );
  }
  const identities = lines.filter((l) => l.startsWith('AGE-SECRET-KEY-1'));
  if (identities.length === 0)
    throw new BackupError(
      'USAGE',
      `--identity ${file} holds no age identity (AGE-SECRET-KEY-1... lines, as written by age-keygen)`,
    );
  return identities;
}
