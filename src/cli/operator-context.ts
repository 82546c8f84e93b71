// What list, restore and verify share: the config, the read-side store with operator credentials,
// the decryptor for --identity, the time window, and one AbortController from signals.
import { selectDestination } from '../config/destinations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../config/sizes.js';
import { createOperatorStore, type OperatorStore } from '../destinations/create-store.js';
import { BackupError } from '../shared/backup-error.js';
import { createLogger, type Logger } from '../shared/logger.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import type { GlobalOptions } from './global-options.js';
import { abortOnSignals } from './signals.js';

/** Flags every operator command takes. */
export interface OperatorOptions {
  credentialsFile?: string;
  profile?: string;
  identity?: string;
  /** `--destination NAME`: which of several destinations to read (default: the first). */
  destination?: string;
}

export interface OperatorContext extends OperatorStore {
  config: Config;
  decryptor: DecryptorPlan | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** Releases the store and the signal handlers. */
  dispose(): void;
}

/**
 * Loads the config and opens the store for an operator command. The host's secret files (mysql
 * defaults_file, key_file) are not required: an operator may run this elsewhere with the host's config.
 */
export async function openOperatorContext(global: GlobalOptions, options: OperatorOptions): Promise<OperatorContext> {
  const logger = createLogger({ level: global.verbose ? 'debug' : global.quiet ? 'warn' : 'info' });
  const config = selectDestination((await loadConfig(global.config)).config, options.destination);
  const store = await createOperatorStore(
    config,
    { credentialsFile: options.credentialsFile, profile: options.profile },
    logger,
  );
  let decryptor: DecryptorPlan | undefined;
  try {
    const passphraseFile = options.identity === undefined ? config.encryption?.passphrase_file : undefined;
    if (options.identity !== undefined || passphraseFile !== undefined) {
      // The age library is loaded only when something needs decrypting.
      const { planDecryptor } = await import('../transforms/decrypt.js');
      decryptor = await planDecryptor({ identityFile: options.identity, passphraseFile });
    }
  } catch (error) {
    store.close();
    throw error;
  }
  const { controller, dispose } = abortOnSignals(logger, 'stopping; partial restore output is removed');
  return {
    ...store,
    config,
    decryptor,
    signal: controller.signal,
    logger,
    dispose: () => {
      store.close();
      dispose();
    },
  };
}

/**
 * `--since 7d` (a duration back from now) or `--since 2026-11-20` (a UTC date or ISO time); undefined
 * when not given. Throws USAGE for anything else.
 */
export function parseSince(value: string, now?: Date): Date;
export function parseSince(value: string | undefined, now?: Date): Date | undefined;
export function parseSince(value: string | undefined, now = new Date()): Date | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const ms = /^\d+$/.test(value) ? undefined : parseDuration(value);
  if (ms === undefined)
    throw new BackupError('USAGE', `--since "${value}" is neither a duration (7d, 36h) nor a date (2026-11-20)`);
  return new Date(now.getTime() - ms);
}
