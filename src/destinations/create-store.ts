// Picks the read-side store for the config's destination, with the operator's credentials for S3.
import type { Config } from '../config/schema.js';
import { operatorDestination, type OperatorCredentialOptions } from '../config/operator-credentials.js';
import type { Logger } from '../shared/logger.js';
import type { BackupStore } from './backup-store.js';
import { createLocalStore } from './local-store.js';
import { createS3Client } from './s3-client.js';
import { createS3Store } from './s3-store.js';

/** Where an operator command reads from: the store and the key prefix of the destination. */
export interface OperatorStore {
  store: BackupStore;
  prefix: string;
  /** Destroys the S3 client's sockets; call when done. */
  close(): void;
}

/**
 * Returns the store for `config.destination`: the local directory as is, or S3 with the operator's
 * credentials (flags, `restore.credentials`, else the default chain; never the host's put-only key),
 * retrying as `destination.retry` says, each retry a warning on `logger`.
 * Throws CONFIG_INVALID for an unreadable or group-readable credentials file.
 */
export async function createOperatorStore(
  config: Config,
  options: OperatorCredentialOptions,
  logger?: Logger,
): Promise<OperatorStore> {
  const d = config.destination;
  if (d.type === 'local') return { store: createLocalStore(d.path), prefix: d.prefix, close: () => undefined };
  const { destination, source } = await operatorDestination(config, options);
  const client = createS3Client(destination);
  const from =
    source === 'flags'
      ? [
          options.credentialsFile && `--credentials-file ${options.credentialsFile}`,
          options.profile && `--profile ${options.profile}`,
        ]
          .filter(Boolean)
          .join(' ')
      : source;
  return {
    store: createS3Store(destination, client, from, logger ? { logger } : {}),
    prefix: destination.prefix,
    close: () => client.destroy(),
  };
}
