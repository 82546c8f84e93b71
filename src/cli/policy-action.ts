// `backup-agent policy`: prints the least-privilege IAM/bucket policy JSON for this config.
import { loadConfig } from '../config/load-config.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import { hostPolicy, restorePolicy, writeOncePolicy } from '../destinations/s3-policy.js';
import type { GlobalOptions } from './global-options.js';

export interface PolicyCommandOptions {
  bucketPolicy?: boolean;
  restore?: boolean;
}

/** Prints one policy document as JSON on stdout; notes go to stderr. */
export async function policyAction(global: GlobalOptions, options: PolicyCommandOptions): Promise<number> {
  const { config } = await loadConfig(global.config);
  if (config.destination.type !== 's3') {
    throw new BackupError('USAGE', `policy: destination.type is ${config.destination.type}; IAM policies apply to s3 destinations`);
  }
  if (options.bucketPolicy && options.restore) throw new BackupError('USAGE', 'policy: choose one of --bucket-policy and --restore');
  const warn = (message: string) => process.stderr.write(`backup-agent: note: ${message}\n`);
  const document = options.bucketPolicy ? writeOncePolicy(config.destination)
    : options.restore ? restorePolicy(config.destination, warn)
      : hostPolicy(config.destination, warn);
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  return ExitCode.OK;
}
