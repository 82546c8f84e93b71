// The config.yml schema: every key with its type, default and description, in one place.
import { z } from 'zod';
import { withUnit } from './setting-units.js';
import { formatDurationSetting, formatSizeSetting, parseDuration, parseSize } from './sizes.js';

/** Characters allowed in names that become parts of object keys. */
export const KEY_SAFE = /^[A-Za-z0-9._-]+$/;
const KEY_PREFIX_SAFE = /^[A-Za-z0-9._\-/]*$/;

/** A name that becomes one segment of keys (and, with a local destination, of paths). */
const keySegment = () =>
  z.string().regex(KEY_SAFE, 'may contain only A-Za-z0-9 . _ -')
    .refine((name) => name !== '.' && name !== '..', 'cannot be "." or "..": it becomes a directory in keys and paths')
    .refine((name) => !name.startsWith('-'), 'cannot start with "-": programs given it would read it as an option');

/** A key prefix: relative and without "." or ".." segments (with a local destination it is a path under `path`). */
const keyPrefix = () =>
  z.string().regex(KEY_PREFIX_SAFE, 'may contain only A-Za-z0-9 . _ - /')
    .refine((p) => !p.startsWith('/'), 'must not start with /')
    .refine((p) => !p.split('/').some((segment) => segment === '.' || segment === '..'), 'cannot have a "." or ".." segment: it would point outside the destination')
    .default('');

/** An http(s) URL: endpoints, webhooks and pings are never file:, ftp: or anything else. */
const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const size = (min: number, max: number) => withUnit('size',
  z
    .union([z.number(), z.string()], 'must be a size (examples: 16MiB, 64 MB, 8388608)')
    .transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (examples: 16MiB, 64 MB, 8388608)` });
        return z.NEVER;
      }
      if (bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `${value} is out of range (${formatSizeSetting(min)} to ${formatSizeSetting(max)})` });
        return z.NEVER;
      }
      return bytes;
    }));

const MiB = 1024 * 1024;
/** Defaults of the network bounds: a stall is detected within a minute; an outage of 5+ minutes is ridden out. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRY_BUDGET_MS = 8 * 60_000;

const duration = (min: number, max: number) => withUnit('duration',
  z.union([z.number(), z.string()], 'must be a duration (examples: 90s, 15m, 26h, 7d)').transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (examples: 90s, 15m, 26h, 7d; a bare number is seconds)` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `${value} is out of range (${formatDurationSetting(min)} to ${formatDurationSetting(max)})` });
      return z.NEVER;
    }
    return ms;
  }));

export const credentialsSchema = z
  .strictObject({
    key_file: z.string().min(1).optional().describe('INI file with [default] (or [profile]) aws_access_key_id / aws_secret_access_key / aws_session_token'),
    profile: z.string().min(1).optional().describe('section of key_file; without key_file, a profile of the shared AWS config (role_arn + source_profile work)'),
    access_key_id: z.string().min(1).optional().describe('inline key id, usually "${ENV_VAR}"'),
    secret_access_key: z.string().min(1).optional().describe('inline secret, usually "${ENV_VAR}"'),
    session_token: z.string().min(1).optional(),
    role_arn: z.string().regex(/^arn:[^:]+:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME)').optional().describe('assume this role (STS) from the base credentials'),
    external_id: z.string().min(1).optional(),
    session_name: z.string().regex(/^[\w+=,.@-]{2,64}$/, 'must be 2-64 characters of A-Za-z0-9_+=,.@-').optional(),
  })
  .describe('Credentials for the destination; without this block the standard AWS chain applies (env, shared profile, web identity, ECS/EC2 roles)');

export const storageClasses = [
  'STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'GLACIER_IR',
  'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY', 'EXPRESS_ONEZONE',
] as const;

const BUCKET_LENGTH = 'must be 3 to 63 characters (S3 bucket naming rules)';

export const s3DestinationSchema = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(3, BUCKET_LENGTH).max(63, BUCKET_LENGTH).describe('bucket name'),
  region: z.string().min(1).default('us-east-1'),
  prefix: keyPrefix().describe('key prefix, e.g. "web/"'),
  endpoint: httpUrl().optional().describe('S3-compatible endpoint URL'),
  force_path_style: z.boolean().default(false),
  storage_class: z.enum(storageClasses).optional(),
  write_once: z.boolean().default(true).describe('send If-None-Match: * so an existing backup is never overwritten'),
  credentials: credentialsSchema.optional(),
  ca_file: z.string().min(1).optional().describe('PEM bundle of a private CA for the endpoint (TLS verification is never turned off)'),
  sse: z
    .strictObject({
      type: z.enum(['AES256', 'aws:kms']),
      kms_key_id: z.string().min(1).optional(),
      bucket_key: z.boolean().optional(),
    })
    .optional()
    .describe('server-side encryption requested on every write'),
  object_lock: z
    .strictObject({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), retain_days: z.number().int().min(1).max(36500) })
    .optional()
    .describe('object lock retention sent with every write (needs s3:PutObjectRetention and a lock-enabled bucket)'),
  upload: z
    .strictObject({
      part_size: size(5 * MiB, 5 * 1024 * MiB).default(16 * MiB),
      queue_size: z.number().int().min(1).max(64).default(4),
    })
    .default({ part_size: 16 * MiB, queue_size: 4 })
    .describe('memory used for uploads is part_size x queue_size'),
  timeouts: z
    .strictObject({
      connect: duration(1_000, 300_000).default(DEFAULT_CONNECT_TIMEOUT_MS).describe('TCP and TLS connection set-up of one request'),
      idle: duration(1_000, 3_600_000).default(DEFAULT_IDLE_TIMEOUT_MS).describe('no byte sent or received on a request\'s connection: the request is abandoned and retried on a new one'),
    })
    .default({ connect: DEFAULT_CONNECT_TIMEOUT_MS, idle: DEFAULT_IDLE_TIMEOUT_MS })
    .describe('bounds of every S3 and STS request'),
  retry: z
    .strictObject({
      budget: duration(1_000, 86_400_000).default(DEFAULT_RETRY_BUDGET_MS)
        .describe('how long one failing request is retried (backoff with jitter, 1s doubling to 30s) before the artifact fails'),
    })
    .default({ budget: DEFAULT_RETRY_BUDGET_MS })
    .describe('retries of network errors, timeouts, 5xx, throttling and clock skew; permanent errors (403, 400, missing bucket) fail at once'),
});

export const localDestinationSchema = z.strictObject({
  type: z.literal('local'),
  path: z.string().min(1).describe('directory that receives the same key layout as S3'),
  prefix: keyPrefix(),
});

export const filesAssetSchema = z.strictObject({
  name: keySegment(),
  type: z.literal('files'),
  paths: z.array(z.string().min(1)).min(1).describe('files or directories; relative paths are relative to the config file'),
  exclude: z.array(z.string().min(1)).default([]).describe('globs: one starting with / matches the absolute path, any other the base names; a byte of a name that is not UTF-8 is written \\xHH, as reports show it'),
  metadata: z
    .strictObject({
      xattrs: z.boolean().default(true).describe('extended attributes of every namespace this user can read: user.*, security.* (file capabilities, SELinux labels), trusted.* as root'),
      acls: z.boolean().default(true).describe('POSIX ACLs, access and default'),
    })
    .default({ xattrs: true, acls: true })
    .describe('file metadata stored besides modes, owners and times; turn off for a filesystem that lacks it or fails to report it'),
});

/** Dump options that leave the footer out of stdout: no comments, output to a file, or not SQL. */
const FOOTERLESS_DUMP_OPTION = /^(compact|skip-comments|disable-comments|comments=(0|off|false)|result-file(=.*)?|tab(=.*)?|xml)$/i;

/**
 * Whether `option` is one of those, spelled as the client option parser accepts it (`--loose-`
 * prefix, `_` for `-`). Best effort: abbreviations are not resolved; the footer check at run time
 * still fails such a backup.
 */
function dropsFooter(option: string): boolean {
  const [name = '', ...value] = option.slice(2).replace(/^loose-/i, '').split('=');
  return FOOTERLESS_DUMP_OPTION.test([name.replaceAll('_', '-'), ...value].join('='));
}

export const mysqlAssetSchema = z.strictObject({
  name: keySegment(),
  type: z.literal('mysql'),
  databases: z
    .union([z.literal('all'), z.array(z.string().min(1)).min(1)])
    .describe('database names, or "all" (every database but information_schema, performance_schema, sys; mysql with include_system)'),
  include_system: z.boolean().default(false).describe('with databases: all, also dump the mysql system database'),
  defaults_file: z.string().min(1).optional().describe('a .my.cnf with [client] user/password/host'),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  socket: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  password: z.string().optional().describe('prefer password_file or defaults_file; ${ENV} works'),
  password_file: z.string().min(1).optional().describe('file whose first line is the password'),
  dump_binary: z.string().min(1).default('auto').describe('auto: mariadb-dump, then mysqldump on PATH; or a path'),
  extra_options: z.array(z.string().startsWith('--', 'must be a --long-option').refine((option) => !dropsFooter(option), {
    message: 'removes or redirects the "-- Dump completed" footer that proves a dump is whole (every backup would fail); leave it out',
  })).default([]).describe('appended to the dump command'),
  concurrency: z.number().int().min(1).max(16).default(1).describe('databases dumped at once (each uses part_size x queue_size of memory)'),
  // z.lazy: `duration` is defined further down.
  lock_wait_timeout: z.lazy(() => duration(1_000, 86_400_000)).default(300_000)
    .describe('how long the dump may wait for a table lock another session holds (LOCK TABLES ... WRITE, ALTER TABLE) before the database fails, e.g. 5m; the server default is a day or a year'),
});

export const encryptionSchema = z
  .strictObject({
    age_recipients: z.array(z.string().regex(/^age1[0-9a-z]{58}$/, 'must be an age X25519 recipient (age1...)')).optional(),
    age_recipients_file: z.string().min(1).optional().describe('file with one age1... recipient per line (# comments allowed)'),
    passphrase_file: z.string().min(1).optional().describe('scrypt passphrase mode: weaker for put-only hosts, since the host then holds the decryption secret'),
    age_binary: z.string().min(1).default('auto').describe('auto: the age binary on PATH when present (fast), else the built-in JS implementation'),
  })
  .describe('client-side encryption in the age format; artifacts and manifests get .age appended');

const when = z.enum(['failure', 'always']);

export const notifySchema = z
  .strictObject({
    email: z
      .strictObject({
        to: z.array(z.email()).min(1).describe('recipients, e.g. a group address'),
        from: z.string().min(3).optional().describe('default backup-agent@HOST'),
        when: when.default('failure'),
        sendmail: z.string().min(1).optional().describe('path of sendmail (what cron MAILTO users have); default when smtp is not set: /usr/sbin/sendmail'),
        smtp: z
          .strictObject({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(587),
            starttls: z.boolean().default(true).describe('require STARTTLS (port 465 implies TLS from the start)'),
            user: z.string().min(1).optional(),
            password_file: z.string().min(1).optional(),
            ca_file: z.string().min(1).optional(),
          })
          .optional(),
      })
      .optional(),
    webhook: z
      .strictObject({
        url: httpUrl(),
        when: when.default('failure'),
        timeout: duration(1_000, 300_000).default(10_000),
        retries: z.number().int().min(0).max(10).default(3),
      })
      .optional(),
    ping: z
      .strictObject({
        start: httpUrl().optional(),
        success: httpUrl().optional(),
        fail: httpUrl().optional(),
        timeout: duration(1_000, 300_000).default(10_000),
      })
      .optional()
      .describe('healthchecks-style URLs pinged at start, success and failure (a dead-man switch)'),
  })
  .describe('where a person learns of a failure; the backup\'s own result always wins over a failed notification');

export const tierNames = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type Tier = (typeof tierNames)[number];

export const configSchema = z
  .strictObject({
    host: keySegment().optional(),
    state_dir: z.string().min(1).default('/var/lib/backup-agent'),
    destination: z.discriminatedUnion('type', [s3DestinationSchema, localDestinationSchema]),
    keys: z.strictObject({ randomize: z.boolean().default(false) }).default({ randomize: false }),
    compression: z
      .strictObject({
        algorithm: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
        level: z.number().int().optional(),
      })
      .default({ algorithm: 'zstd' }),
    encryption: encryptionSchema.optional(),
    schedule: z.string().min(1).optional().describe('cron expression for `daemon` and `schedule --print`, e.g. "15 3 * * *"'),
    timezone: z.string().min(1).optional().describe('IANA zone of the schedule, default the system zone'),
    random_delay: duration(0, 86_400_000).default(0).describe('random delay before each scheduled run, e.g. 15m'),
    shutdown_timeout: duration(0, 86_400_000).default(300_000).describe('on SIGTERM, how long a running backup may finish before it is aborted'),
    stall_timeout: duration(1_000, 86_400_000).default(10 * 60_000).describe('an artifact fails when no byte moved through its pipeline for this long, naming the stage that stopped'),
    max_run_time: duration(1_000, 31 * 86_400_000).default(23 * 3_600_000)
      .describe('a run still going after this long is aborted like SIGTERM (exit 124, "timed out"); finished artifacts keep their manifest'),
    alert_after: duration(60_000, 366 * 86_400_000).default(26 * 3_600_000).describe('`status` fails when an asset\'s last success is older'),
    notify: notifySchema.optional(),
    metrics: z.strictObject({ textfile: z.string().min(1).describe('Prometheus textfile collector path, written atomically') }).optional(),
    retention: z
      .partialRecord(z.enum(tierNames), z.number().int().positive())
      .default({ daily: 7, monthly: 365 })
      .describe('days kept per tier; the tier of a run is the longest-kept one whose calendar rule matches'),
    restore: z
      .strictObject({
        credentials: credentialsSchema.optional().describe('read (or admin) credentials for list/restore/verify/lifecycle; never the host\'s put-only key'),
      })
      .optional()
      .describe('operator side: what list, restore, verify and lifecycle --apply use; ignored by run and daemon'),
    assets: z.array(z.discriminatedUnion('type', [filesAssetSchema, mysqlAssetSchema])).min(1),
  })
  ;

/** A problem found by a cross-field rule, at a document path. */
export interface RuleProblem {
  path: (string | number)[];
  message: string;
}

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
    const range = algorithm === 'zstd' ? [1, 19] : algorithm === 'gzip' ? [1, 9] : undefined;
    if (range === undefined) {
      if (algorithm === 'none') problems.push({ path: ['compression', 'level'], message: 'no level with algorithm none' });
    } else if (compression.level < range[0]! || compression.level > range[1]!) {
      problems.push({ path: ['compression', 'level'], message: `${String(algorithm)} level must be ${range[0]} to ${range[1]}` });
    }
  }
  (Array.isArray(root.assets) ? root.assets : []).forEach((asset: unknown, index) => {
    const a = (asset ?? {}) as Record<string, unknown>;
    if (a.type === 'mysql' && a.password !== undefined && a.password_file !== undefined) {
      problems.push({ path: ['assets', index, 'password_file'], message: 'set password or password_file, not both' });
    }
  });
  const destination = (root.destination ?? {}) as Record<string, unknown>;
  const credentials = (destination.credentials ?? {}) as Record<string, unknown>;
  if ((credentials.access_key_id === undefined) !== (credentials.secret_access_key === undefined)) {
    problems.push({ path: ['destination', 'credentials'], message: 'set access_key_id and secret_access_key together' });
  }
  if (credentials.key_file !== undefined && credentials.access_key_id !== undefined) {
    problems.push({ path: ['destination', 'credentials', 'access_key_id'], message: 'set key_file or access_key_id, not both' });
  }
  if (credentials.session_token !== undefined && credentials.access_key_id === undefined) {
    problems.push({ path: ['destination', 'credentials', 'session_token'], message: 'session_token needs access_key_id and secret_access_key' });
  }
  if ((credentials.external_id !== undefined || credentials.session_name !== undefined) && credentials.role_arn === undefined) {
    problems.push({ path: ['destination', 'credentials', 'role_arn'], message: 'external_id and session_name need role_arn' });
  }
  const sse = (destination.sse ?? {}) as Record<string, unknown>;
  if (sse.type === 'AES256' && (sse.kms_key_id !== undefined || sse.bucket_key !== undefined)) {
    problems.push({ path: ['destination', 'sse', 'type'], message: 'kms_key_id and bucket_key need type aws:kms' });
  }
  const encryption = root.encryption as Record<string, unknown> | undefined;
  if (encryption !== null && typeof encryption === 'object') {
    const modes = ['age_recipients', 'age_recipients_file', 'passphrase_file'].filter((k) => encryption[k] !== undefined);
    if (modes.length === 0) problems.push({ path: ['encryption'], message: 'set age_recipients, age_recipients_file or passphrase_file' });
    if (encryption.passphrase_file !== undefined && modes.length > 1) {
      problems.push({ path: ['encryption', 'passphrase_file'], message: 'passphrase mode cannot be combined with recipients' });
    }
  }
  const retention = root.retention as Record<string, unknown> | undefined;
  if (retention !== null && typeof retention === 'object' && retention.daily === undefined) {
    problems.push({ path: ['retention'], message: 'daily is required: it is the tier of ordinary days' });
  }
  return problems;
}

/** The validated configuration, sizes in bytes, defaults applied. */
export type Config = z.output<typeof configSchema>;
export type AssetConfig = Config['assets'][number];
export type FilesAssetConfig = z.output<typeof filesAssetSchema>;
export type MysqlAssetConfig = z.output<typeof mysqlAssetSchema>;
export type S3DestinationConfig = z.output<typeof s3DestinationSchema>;
export type EncryptionConfig = z.output<typeof encryptionSchema>;
export type CredentialsConfig = z.output<typeof credentialsSchema>;
export type RestoreConfig = NonNullable<Config['restore']>;
export type NotifyConfig = z.output<typeof notifySchema>;
export type LocalDestinationConfig = z.output<typeof localDestinationSchema>;
