// Encryption stage in the age format: the `age` binary when present (~7x faster here), else the age-encryption JS library.
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Duplex } from 'node:stream';
import { Encrypter } from 'age-encryption';
import type { EncryptionConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { childStage } from '../shared/child-process.js';
import { findOnPath } from '../shared/find-on-path.js';
import { loadRecipients } from './age-recipients.js';
import { NO_ENCRYPTION, type EncryptorPlan } from './encryptor-plan.js';
import { webStreamStage } from './web-stream-stage.js';

export type { EncryptorPlan } from './encryptor-plan.js';

/**
 * Chooses how to encrypt. With recipients it prefers the `age` binary (`age_binary: auto` looks on
 * `env.PATH`; a name or absolute path is used as given) and falls back to age-encryption (JS);
 * passphrase mode always uses the JS implementation, since the binary reads passphrases only from
 * a terminal. Every recipient is parsed here, so a typo fails now rather than mid-backup.
 * Returns the `none` plan when `encryption` is undefined.
 * Throws CONFIG_INVALID for an invalid or unreadable recipient or passphrase file, for a
 * configuration with no or both modes, and for an `age_binary` that is not an executable.
 */
export async function planEncryptor(
  encryption: EncryptionConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EncryptorPlan> {
  if (encryption === undefined) return NO_ENCRYPTION;
  const recipients = await loadRecipients(encryption);
  const passphraseFile = encryption.passphrase_file;
  if (passphraseFile !== undefined) {
    if (recipients.length > 0)
      throw new BackupError('CONFIG_INVALID', 'encryption: passphrase mode cannot be combined with recipients');
    const encrypter = new Encrypter();
    encrypter.setPassphrase(await readPassphrase(passphraseFile));
    return {
      engine:
        'age-encryption (JS), passphrase (scrypt; weaker for put-only hosts: this host holds the decryption secret)',
      extension: 'age',
      create: (signal) => jsStage(encrypter, signal),
    };
  }
  if (recipients.length === 0)
    throw new BackupError('CONFIG_INVALID', 'encryption: set age_recipients, age_recipients_file or passphrase_file');
  const count = `${recipients.length} recipient${recipients.length === 1 ? '' : 's'}`;
  const binary = await findAge(encryption.age_binary, env);
  if (binary !== undefined) {
    const command = { file: binary, args: ['--encrypt', ...recipients.flatMap((r) => ['-r', r])] };
    return {
      engine: `age binary ${binary}, ${count}`,
      extension: 'age',
      create: (signal) => childStage(command, signal),
    };
  }
  const encrypter = new Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  return {
    engine: `age-encryption (JS), ${count} (no age binary on PATH)`,
    extension: 'age',
    create: (signal) => jsStage(encrypter, signal),
  };
}

/** The age binary to use, or undefined for the JS engine; throws CONFIG_INVALID for an explicit one that is missing. */
async function findAge(setting: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (setting === 'auto') return findOnPath('age', env);
  if (!isAbsolute(setting) && setting.includes('/')) {
    throw new BackupError(
      'CONFIG_INVALID',
      `encryption: age_binary "${setting}" must be auto, a program name on PATH, or an absolute path`,
    );
  }
  const found = await findOnPath(setting, env);
  if (found === undefined) {
    throw new BackupError(
      'CONFIG_INVALID',
      `encryption: age_binary "${setting}" is not an executable file${isAbsolute(setting) ? '' : ' on PATH'} (install age, or set age_binary: auto to fall back to the built-in JS implementation)`,
    );
  }
  return found;
}

/** The first line of `path`; never quotes it in errors. */
async function readPassphrase(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BackupError(
      'CONFIG_INVALID',
      `encryption: passphrase_file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  const passphrase = text.split(/\r?\n/, 1)[0] ?? '';
  if (passphrase === '')
    throw new BackupError(
      'CONFIG_INVALID',
      `encryption: passphrase_file ${path}: the first line (the passphrase) is empty`,
    );
  return passphrase;
}

/** The JS engine as a bounded Duplex stage (see {@link webStreamStage}). */
function jsStage(encrypter: Encrypter, signal: AbortSignal): Duplex {
  return webStreamStage((input) => encrypter.encrypt(input), signal);
}
