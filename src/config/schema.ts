// The config.yml schema: every key with its type, default, description and an example, in one place;
// docs/config.md and the starter config of `init` are generated from it (config-reference.ts).
import { z } from 'zod';
import {
  credentialsSchema,
  destinationSchema,
  destinationsSchema,
  type localDestinationSchema,
  type namedDestinationSchema,
  type s3DestinationSchema,
} from './destination-schema.js';
import { assetSchemas, sourceOf } from '../sources/registry.js';
import { destinationProblems } from './destination-rules.js';
import { notifySchema } from './notify-schema.js';
import type { RuleProblem } from './rule-problem.js';
import { doc, duration, keySegment } from './schema-values.js';

export { KEY_SAFE } from './schema-values.js';
export {
  credentialsSchema,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_RETRY_BUDGET_MS,
  localDestinationSchema,
  s3DestinationSchema,
  storageClasses,
} from './destination-schema.js';
export { notifySchema } from './notify-schema.js';

const text = () => z.string().min(1);

export const encryptionSchema = z
  .strictObject({
    age_recipients: z
      .array(z.string().regex(/^age1[0-9a-z]{58}$/, 'must be an age X25519 recipient (age1...)'))
      .optional()
      .meta(
        doc('X25519 public keys (from age-keygen, kept by the operators); the host never holds a private key', [
          'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
        ]),
      ),
    age_recipients_file: text()
      .optional()
      .meta(doc('file with one age1... recipient per line (# comments allowed)', '/etc/backup-agent/recipients.txt')),
    passphrase_file: text()
      .optional()
      .meta(
        doc(
          'scrypt passphrase mode: weaker for put-only hosts, since the host then holds the decryption secret; not with recipients',
          '/etc/backup-agent/passphrase',
        ),
      ),
    age_binary: text()
      .default('auto')
      .meta(
        doc(
          'auto: the age binary on PATH when present (fast), else the built-in JS implementation; or a path',
          '/usr/bin/age',
        ),
      ),
  })
  .meta(doc('client-side encryption in the age format; artifacts and manifests get .age appended'));

import { tierNames } from './tiers.js';

const scheduleSchemas = {
  schedule: text().optional().meta(doc('cron expression for `daemon` and `schedule --print`', '15 3 * * *')),
  timezone: text().optional().meta(doc('IANA zone of the schedule; default the system zone', 'Europe/Berlin')),
  random_delay: duration(0, 86_400_000).default(0).meta(doc('random delay before each scheduled run', '15m')),
  shutdown_timeout: duration(0, 86_400_000)
    .default(300_000)
    .meta(doc('on SIGTERM, how long a running backup may finish before it is aborted', '5m')),
  stall_timeout: duration(1_000, 86_400_000)
    .default(10 * 60_000)
    .meta(
      doc(
        'an artifact fails when no byte moved through its pipeline for this long, naming the stage that stopped',
        '10m',
      ),
    ),
  max_run_time: duration(1_000, 31 * 86_400_000)
    .default(23 * 3_600_000)
    .meta(
      doc(
        'a run still going after this long is aborted like SIGTERM (exit 124, "timed out"); finished artifacts keep their manifest',
        '23h',
      ),
    ),
  alert_after: duration(60_000, 366 * 86_400_000)
    .default(26 * 3_600_000)
    .meta(doc("`status` fails when an asset's last success is older", '26h')),
};

export const configSchema = z.strictObject({
  host: keySegment()
    .optional()
    .meta(
      doc('host name in every key (A-Za-z0-9 . _ -); default the hostname, sanitised to those characters', 'web-01'),
    ),
  state_dir: text()
    .default('/var/lib/backup-agent')
    .meta(doc("lock file and last-run.json (the systemd unit's StateDirectory)", '/var/lib/backup-agent')),
  destination: destinationSchema.optional(),
  destinations: destinationsSchema.optional(),
  keys: z
    .strictObject({
      randomize: z
        .boolean()
        .default(false)
        .meta(doc('append "--" and 64 random base64url characters to every key, so keys cannot be guessed', true)),
    })
    .default({ randomize: false })
    .meta(doc('how object keys are spelled')),
  compression: z
    .strictObject({
      algorithm: z.enum(['zstd', 'gzip', 'none']).default('zstd').meta(doc('compressor of every artifact', 'zstd')),
      level: z.number().int().optional().meta(doc('zstd 1-19 (default 3), gzip 1-9 (default 6)', 3)),
    })
    .default({ algorithm: 'zstd' })
    .meta(doc("compression of artifacts: zstd (the zstd binary, else Node's zlib), gzip (zlib) or none")),
  encryption: encryptionSchema.optional(),
  ...scheduleSchemas,
  notify: notifySchema.optional(),
  metrics: z
    .strictObject({
      textfile: text().meta(
        doc(
          'Prometheus textfile collector path, written atomically',
          '/var/lib/node_exporter/textfile_collector/backup_agent.prom',
        ),
      ),
    })
    .optional()
    .meta(doc('Prometheus metrics of the last run')),
  retention: z
    .partialRecord(z.enum(tierNames), z.number().int().positive())
    .default({ daily: 7, monthly: 365 })
    .meta(
      doc(
        'days kept per tier (daily, weekly, monthly, yearly; daily required); the tier of a run is the longest-kept one whose calendar rule matches',
        { daily: 7, monthly: 365 },
      ),
    ),
  restore: z
    .strictObject({
      credentials: credentialsSchema
        .optional()
        .meta(
          doc(
            "read (or admin) credentials for list/restore/verify/lifecycle, same keys as destination.credentials; never the host's put-only key",
          ),
        ),
    })
    .optional()
    .meta(doc('operator side: what list, restore, verify and lifecycle --apply use; ignored by run and daemon')),
  assets: z
    .array(z.discriminatedUnion('type', assetSchemas))
    .min(1)
    .meta(doc('what is backed up: a list of files and mysql assets')),
});

export type { RuleProblem } from './rule-problem.js';

/**
 * Cross-field rules, run on the raw document even when the schema found other problems,
 * so that every problem is listed at once. Tolerates any shape of input.
 */
export function crossFieldRules(raw: unknown): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const root = (raw ?? {}) as Record<string, unknown>;
  const seen = new Set<unknown>();
  (Array.isArray(root.assets) ? root.assets : []).forEach((asset: unknown, index) => {
    const name = (asset as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return;
    if (seen.has(name)) problems.push({ path: ['assets', index, 'name'], message: `duplicate asset name "${name}"` });
    seen.add(name);
  });
  const compression = (root.compression ?? {}) as { algorithm?: unknown; level?: unknown };
  if (typeof compression.level === 'number') {
    const algorithm = compression.algorithm ?? 'zstd';
    if (algorithm === 'none')
      problems.push({ path: ['compression', 'level'], message: 'no level with algorithm none' });
    else if (algorithm === 'zstd' || algorithm === 'gzip') {
      const [low, high] = algorithm === 'zstd' ? [1, 19] : [1, 9];
      if (compression.level < low || compression.level > high)
        problems.push({ path: ['compression', 'level'], message: `${algorithm} level must be ${low} to ${high}` });
    }
  }
  (Array.isArray(root.assets) ? root.assets : []).forEach((asset: unknown, index) => {
    const a = (asset ?? {}) as Record<string, unknown>;
    const source = typeof a.type === 'string' ? sourceOf(a.type) : undefined;
    for (const [key, message] of source?.rules?.(a) ?? []) problems.push({ path: ['assets', index, key], message });
  });
  problems.push(...destinationProblems(root));
  const encryption = root.encryption as Record<string, unknown> | null | undefined;
  if (encryption !== null && typeof encryption === 'object') {
    const modes = ['age_recipients', 'age_recipients_file', 'passphrase_file'].filter(
      (k) => encryption[k] !== undefined,
    );
    if (modes.length === 0)
      problems.push({ path: ['encryption'], message: 'set age_recipients, age_recipients_file or passphrase_file' });
    if (encryption.passphrase_file !== undefined && modes.length > 1) {
      problems.push({
        path: ['encryption', 'passphrase_file'],
        message: 'passphrase mode cannot be combined with recipients',
      });
    }
  }
  const retention = root.retention as Record<string, unknown> | null | undefined;
  if (retention !== null && typeof retention === 'object' && retention.daily === undefined) {
    problems.push({ path: ['retention'], message: 'daily is required: it is the tier of ordinary days' });
  }
  return problems;
}

/** What the schema yields, before loadConfig normalises the destinations: `host` possibly unset. */
export type ParsedConfig = z.output<typeof configSchema>;
/** One destination (`destination:`, or one entry of `destinations:` without its name). */
export type DestinationConfig = z.output<typeof destinationSchema>;
/** One entry of `destinations:`; a single `destination:` becomes one named "default". */
export type NamedDestinationConfig = z.output<typeof namedDestinationSchema>;
/** The loaded configuration (see parseConfig): sizes in bytes, defaults applied, `host` set, paths absolute. */
export type Config = Omit<ParsedConfig, 'destination' | 'destinations' | 'host'> & {
  host: string;
  /** The first destination (usually the only one): the default of operator commands. */
  destination: DestinationConfig;
  /** Every destination with its name (loadConfig sets it; see config/destinations.ts). */
  destinations?: NamedDestinationConfig[];
};
export type AssetConfig = Config['assets'][number];
export type S3DestinationConfig = z.output<typeof s3DestinationSchema>;
export type EncryptionConfig = z.output<typeof encryptionSchema>;
export type CredentialsConfig = z.output<typeof credentialsSchema>;
export type RestoreConfig = NonNullable<Config['restore']>;
export type NotifyConfig = z.output<typeof notifySchema>;
export type LocalDestinationConfig = z.output<typeof localDestinationSchema>;
