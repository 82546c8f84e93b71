// Refuses secret files that others can read or write, as OpenSSH refuses such private keys.
import { BackupError } from '../shared/backup-error.js';
import { sourceFor } from '../sources/registry.js';
import type { Config } from './schema.js';
import { destinationsOf } from './destinations.js';
import { checkSecretFile, type SecretFile } from './secret-file-check.js';

/** Every secret file in `config`: the S3 key file, each asset's (its source says which), the age passphrase file, the SMTP password file. */
export function secretFilesOf(config: Config): SecretFile[] {
  const files: SecretFile[] = [];
  const all = destinationsOf(config);
  for (const d of all) {
    const label = all.length > 1 ? `destination "${d.name}" key_file` : 'key_file';
    if (d.type === 's3' && d.credentials?.key_file) files.push({ label, path: d.credentials.key_file });
  }
  for (const asset of config.assets) files.push(...sourceFor(asset).secretFiles(asset));
  if (config.encryption?.passphrase_file)
    files.push({ label: 'encryption.passphrase_file', path: config.encryption.passphrase_file });
  const smtpPassword = config.notify?.email?.smtp?.password_file;
  if (smtpPassword) files.push({ label: 'notify.email.smtp.password_file', path: smtpPassword });
  return files;
}

/**
 * Checks every secret file of `config` (see {@link secretFilesOf}): each must be readable and have no
 * group/other permission bits. Resolves if all are fine; throws BackupError CONFIG_INVALID (exit 2)
 * with one detail line per problem otherwise.
 */
export async function checkSecretFiles(config: Config): Promise<void> {
  const problems = (await Promise.all(secretFilesOf(config).map(checkSecretFile))).filter(
    (p): p is string => p !== undefined,
  );
  if (problems.length === 0) return;
  throw new BackupError(
    'CONFIG_INVALID',
    `secret files: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    { details: problems },
  );
}
