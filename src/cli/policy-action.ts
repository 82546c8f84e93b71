// `backup-agent policy`: prints the least-privilege IAM/bucket policy JSON for this config, or with --mysql
// the database accounts' GRANT statements (grants-policy.ts).
import { destinationsOf, selectDestination } from '../config/destinations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config, NamedDestinationConfig, S3DestinationConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { hostPolicy, restorePolicy, writeOncePolicy } from '../destinations/s3-policy.js';
import type { GlobalOptions } from './global-options.js';

export interface PolicyCommandOptions {
  bucketPolicy?: boolean;
  restore?: boolean;
  mysql?: boolean;
  accountHost?: string;
  /** Only this destination (default: every s3 destination). */
  destination?: string;
}

/** Prints one policy document as JSON on stdout; notes go to stderr. */
export async function policyAction(global: GlobalOptions, options: PolicyCommandOptions): Promise<number> {
  const { config } = await loadConfig(global.config);
  if (options.accountHost !== undefined && !options.mysql)
    throw new BackupError('USAGE', 'policy: --account-host goes with --mysql');
  if (options.mysql) {
    if (options.bucketPolicy || options.restore)
      throw new BackupError('USAGE', 'policy: --mysql prints SQL; leave out --bucket-policy and --restore');
    const { grantsPolicy } = await import('./grants-policy.js');
    process.stdout.write(await grantsPolicy(config, options.accountHost));
    return ExitCode.OK;
  }
  if (options.bucketPolicy && options.restore)
    throw new BackupError('USAGE', 'policy: choose one of --bucket-policy and --restore');
  const warn = (message: string) => process.stderr.write(`backup-agent: note: ${message}\n`);
  const chosen = options.destination === undefined ? destinationsOf(config) : [selected(config, options.destination)];
  const s3 = chosen.filter((d) => d.type === 's3');
  if (s3.length === 0) {
    throw new BackupError(
      'USAGE',
      `policy: destination.type is ${chosen[0]?.type ?? config.destination.type}; IAM policies apply to s3 destinations`,
    );
  }
  const documentOf = (d: S3DestinationConfig) =>
    options.bucketPolicy ? writeOncePolicy(d) : options.restore ? restorePolicy(d, warn) : hostPolicy(d, warn);
  for (const d of chosen.filter((d) => d.type !== 's3'))
    warn(`destination "${d.name}" is ${d.type}: no IAM policy applies to it`);
  // One destination: the document itself; several: one document per destination, keyed by its name.
  const [only] = s3;
  const printed =
    only && chosen.length === 1 ? documentOf(only) : Object.fromEntries(s3.map((d) => [d.name, documentOf(d)]));
  process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
  return ExitCode.OK;
}

/** The destination named `name`, named (USAGE naming the configured ones when there is none). */
function selected(config: Config, name: string): NamedDestinationConfig {
  const { destination } = selectDestination(config, name);
  return { ...destination, name };
}
