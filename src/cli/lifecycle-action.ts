// `backup-agent lifecycle`: prints the S3 lifecycle rules implementing `retention`; `--apply` merges
// them into the bucket's lifecycle document with operator credentials, keeping other prefixes' rules.
import type { BucketLifecycleConfiguration } from '@aws-sdk/client-s3';
import { loadConfig } from '../config/load-config.js';
import { operatorDestination, type OperatorCredentialOptions } from '../config/operator-credentials.js';
import { createS3Client } from '../destinations/s3-client.js';
import { readLifecycleRules, writeLifecycleRules } from '../destinations/s3-lifecycle.js';
import { lifecycleConfiguration, mergeLifecycleRules } from '../layout/lifecycle-rules.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';

export interface LifecycleCommandOptions extends OperatorCredentialOptions {
  apply?: boolean;
}

/** Prints the lifecycle JSON, or with --apply merges it into the bucket and prints what changed. */
export async function lifecycleAction(global: GlobalOptions, options: LifecycleCommandOptions): Promise<number> {
  const { config } = await loadConfig(global.config);
  if (config.destination.type !== 's3') {
    throw new BackupError('USAGE', `lifecycle: destination.type is ${config.destination.type}; lifecycle rules apply to s3 destinations (a local destination is pruned by "run" itself after each complete run)`);
  }
  const prefix = config.destination.prefix;
  const ours = lifecycleConfiguration(prefix, config.retention);
  if (!options.apply) {
    if (options.credentialsFile !== undefined || options.profile !== undefined) throw new BackupError('USAGE', 'lifecycle: --credentials-file and --profile need --apply');
    process.stdout.write(`${JSON.stringify(ours, null, 2)}\n`);
    return ExitCode.OK;
  }
  const { destination, source } = await operatorDestination(config, options);
  const client = createS3Client(destination);
  try {
    const existing = await readLifecycleRules(client, destination);
    const merged = mergeLifecycleRules(existing, prefix, ours);
    const changed = merged.changes.some((c) => c.change !== 'unchanged');
    if (changed) await writeLifecycleRules(client, destination, merged.configuration as BucketLifecycleConfiguration);
    const out = [`s3://${destination.bucket}: lifecycle rules for prefix "${prefix}" (credentials: ${source})`];
    for (const c of merged.changes) out.push(`  ${c.change.padEnd(9)} ${c.id}: ${c.description}`);
    out.push(merged.kept.length ? `  kept      ${merged.kept.length} rule${merged.kept.length === 1 ? '' : 's'} of other prefixes: ${merged.kept.join(', ')}` : '  kept      no other rules (none in the bucket)');
    for (const id of merged.overlapping) out.push(`  note      rule ${id} filters one of these folders too; S3 applies the shortest expiry`);
    out.push(changed ? 'applied' : 'nothing to change');
    process.stdout.write(`${out.join('\n')}\n`);
    return ExitCode.OK;
  } finally {
    client.destroy();
  }
}
