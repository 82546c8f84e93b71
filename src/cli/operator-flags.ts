// The flags of the operator commands (list, restore, verify, lifecycle --apply): credentials that are
// never the host's put-only key (see config/operator-credentials.ts), and the age identity.
import type { FlagDefinition } from './command-definition.js';

/** `--credentials-file`; `kind` says which credentials (read, admin) the command needs. */
export function credentialsFileFlag(kind: string): FlagDefinition {
  return {
    flags: '--credentials-file <file>',
    description: `${kind} credentials (INI key file); default restore.credentials, else the AWS chain`,
  };
}

export const PROFILE_FLAG: FlagDefinition = {
  flags: '--profile <name>',
  description: 'section of --credentials-file, or a shared AWS profile',
};

export const IDENTITY_FLAG: FlagDefinition = {
  flags: '--identity <file>',
  description: 'age identity file (mode 0600), for encrypted backups and manifests',
};

export const DESTINATION_FLAG: FlagDefinition = {
  flags: '--destination <name>',
  description: 'with several destinations: the one to read (default: the first in the config)',
};

/** What list, restore and verify take to read backups: read credentials, profile, identity, destination. */
export const READ_FLAGS: readonly FlagDefinition[] = [
  credentialsFileFlag('read'),
  PROFILE_FLAG,
  IDENTITY_FLAG,
  DESTINATION_FLAG,
];
