// Operator commands (list, restore, verify, lifecycle --apply) read with credentials of their own,
// never the host's put-only key: this picks them from flags or the config's `restore:` section.
import { BackupError } from '../shared/backup-error.js';
import type { Config, CredentialsConfig, S3DestinationConfig } from './schema.js';
import { checkSecretFile } from './secret-file-check.js';

/** The flags every operator command accepts. */
export interface OperatorCredentialOptions {
  /** INI file with aws_access_key_id / aws_secret_access_key (section `profile`, default `default`). */
  credentialsFile?: string;
  /** A section of `credentialsFile`, or without it a profile of the shared AWS config. */
  profile?: string;
}

/** Where the operator's credentials came from, for messages (`--credentials-file F`, `restore.credentials`, ...). */
export type OperatorCredentialSource = 'flags' | 'restore.credentials' | 'default chain';

/** The destination as operator commands see it: the host's S3 settings with the operator's credentials. */
export interface OperatorDestination {
  destination: S3DestinationConfig;
  source: OperatorCredentialSource;
}

/**
 * Returns `config.destination` with its credentials replaced, in order of precedence, by
 * `--credentials-file`/`--profile`, then `restore.credentials`, else the standard AWS chain (env,
 * shared profile, instance role). The host's `destination.credentials` are never used: they are
 * put-only by design. Throws BackupError USAGE for a non-s3 destination (callers handle local
 * destinations themselves) and CONFIG_INVALID when a given credentials file is unreadable or
 * readable by group/others.
 */
export async function operatorDestination(
  config: Config,
  options: OperatorCredentialOptions,
): Promise<OperatorDestination> {
  const d = config.destination;
  if (d.type !== 's3') throw new BackupError('USAGE', `destination.type is ${d.type}: S3 credentials do not apply`);
  let credentials: CredentialsConfig | undefined;
  let source: OperatorCredentialSource;
  if (options.credentialsFile !== undefined || options.profile !== undefined) {
    credentials = {
      ...(options.credentialsFile !== undefined ? { key_file: options.credentialsFile } : {}),
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
    };
    source = 'flags';
  } else if (config.restore?.credentials) {
    credentials = config.restore.credentials;
    source = 'restore.credentials';
  } else {
    source = 'default chain';
  }
  if (credentials?.key_file !== undefined) {
    const label = source === 'flags' ? '--credentials-file' : 'restore.credentials.key_file';
    const problem = await checkSecretFile({ label, path: credentials.key_file });
    if (problem) throw new BackupError('CONFIG_INVALID', problem);
  }
  const { credentials: _hostCredentials, ...rest } = d;
  return { destination: { ...rest, ...(credentials ? { credentials } : {}) }, source };
}
