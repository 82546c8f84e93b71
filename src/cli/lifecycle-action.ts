// `backup-agent lifecycle`: prints the S3 lifecycle rules implementing `retention`; `--apply` merges
// them into the bucket's lifecycle document with operator credentials, keeping other prefixes' rules;
// with several s3 destinations, for each of them.
import type { BucketLifecycleConfiguration } from '@aws-sdk/client-s3';
import { destinationsOf, selectDestination } from '../config/destinations.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { operatorDestination, type OperatorCredentialOptions } from '../config/operator-credentials.js';
import { createS3Client } from '../destinations/s3-client.js';
import { readLifecycleRules, writeLifecycleRules } from '../destinations/s3-lifecycle.js';
import { lifecycleConfiguration, mergeLifecycleRules } from '../layout/lifecycle-rules.js';
import { BackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';

export interface LifecycleCommandOptions extends OperatorCredentialOptions {
  apply?: boolean;
  /** Only this destination (default: every s3 destination). */
  destination?: string;
}

/**
 * Prints the lifecycle JSON, or with --apply merges it into the bucket and prints what changed. With
 * several s3 destinations: one document per destination keyed by its name, and --apply applies each.
 */
export async function lifecycleAction(global: GlobalOptions, options: LifecycleCommandOptions): Promise<number> {
  const { config } = await loadConfig(global.config);
  const chosen =
    options.destination === undefined
      ? destinationsOf(config)
      : [{ ...selectDestination(config, options.destination).destination, name: options.destination }];
  const s3 = chosen.filter((d) => d.type === 's3');
  if (s3.length === 0) {
    throw new BackupError(
      'USAGE',
      `lifecycle: destination.type is ${chosen[0]?.type ?? config.destination.type}; lifecycle rules apply to s3 destinations (a local destination is pruned by "run" itself after each complete run)`,
    );
  }
  if (!options.apply) {
    if (options.credentialsFile !== undefined || options.profile !== undefined)
      throw new BackupError('USAGE', 'lifecycle: --credentials-file and --profile need --apply');
    const [only] = s3;
    const printed =
      only && chosen.length === 1
        ? lifecycleConfiguration(only.prefix, config.retention)
        : Object.fromEntries(s3.map((d) => [d.name, lifecycleConfiguration(d.prefix, config.retention)]));
    process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    return ExitCode.OK;
  }
  for (const d of s3) await applyRules({ ...config, destination: d }, options);
  return ExitCode.OK;
}

/** Merges the rules of `config.destination` (an s3 one) into its bucket; prints what changed. */
async function applyRules(config: Config, options: LifecycleCommandOptions): Promise<void> {
  const prefix = config.destination.prefix;
  const ours = lifecycleConfiguration(prefix, config.retention);
  const { destination, source } = await operatorDestination(config, options);
  const client = createS3Client(destination);
  try {
    const existing = await readLifecycleRules(client, destination);
    const merged = mergeLifecycleRules(existing, prefix, ours);
    const changed = merged.changes.some((c) => c.change !== 'unchanged');
    if (changed) await writeLifecycleRules(client, destination, merged.configuration as BucketLifecycleConfiguration);
    const out = [`s3://${destination.bucket}: lifecycle rules for prefix "${prefix}" (credentials: ${source})`];
    for (const c of merged.changes) out.push(`  ${c.change.padEnd(9)} ${c.id}: ${c.description}`);
    out.push(
      merged.kept.length
        ? `  kept      ${merged.kept.length} rule${merged.kept.length === 1 ? '' : 's'} of other prefixes: ${merged.kept.join(', ')}`
        : '  kept      no other rules (none in the bucket)',
    );
    for (const id of merged.overlapping)
      out.push(`  note      rule ${id} filters one of these folders too; S3 applies the shortest expiry`);
    out.push(changed ? 'applied' : 'nothing to change');
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    client.destroy();
  }
}
