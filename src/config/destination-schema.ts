// The `destination` section of config.yml: an S3 bucket (with its credentials and network bounds) or a
// local directory, each key with its description and an example.
import { z } from 'zod';
import { doc, duration, httpUrl, keyPrefix, keySegment, MiB, size } from './schema-values.js';

/** Defaults of the network bounds: a stall is detected within a minute; an outage of 5+ minutes is ridden out. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRY_BUDGET_MS = 8 * 60_000;

const text = () => z.string().min(1);

export const credentialsSchema = z
  .strictObject({
    key_file: text()
      .optional()
      .meta(
        doc(
          'INI file (mode 0600) with [default] (or [profile]) aws_access_key_id / aws_secret_access_key / aws_session_token; not with access_key_id',
          '/etc/backup-agent/s3-credentials',
        ),
      ),
    profile: text()
      .optional()
      .meta(
        doc(
          'section of key_file; without key_file, a profile of the shared AWS config (role_arn + source_profile work)',
          'default',
        ),
      ),
    access_key_id: text()
      .optional()
      .meta(doc('inline key id, usually "${ENV_VAR}"; set together with secret_access_key', '${S3_KEY_ID}')),
    secret_access_key: text()
      .optional()
      .meta(doc('inline secret, usually "${ENV_VAR}"; set together with access_key_id', '${S3_SECRET}')),
    session_token: text()
      .optional()
      .meta(
        doc(
          'inline session token of temporary credentials; needs access_key_id and secret_access_key',
          '${S3_SESSION_TOKEN}',
        ),
      ),
    role_arn: z
      .string()
      .regex(/^arn:[^:]+:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME)')
      .optional()
      .meta(doc('assume this role (STS) from the base credentials', 'arn:aws:iam::123456789012:role/backup-writer')),
    external_id: text()
      .optional()
      .meta(doc("external ID the role's trust policy requires; needs role_arn", 'backup-agent-web-01')),
    session_name: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, 'must be 2-64 characters of A-Za-z0-9_+=,.@-')
      .optional()
      .meta(doc('name of the assumed-role session, seen in CloudTrail; needs role_arn', 'backup-agent-web-01')),
  })
  .meta(
    doc(
      'credentials for the destination; without this block the standard AWS chain applies (env, shared profile, web identity, ECS/EC2 roles)',
    ),
  );

export const storageClasses = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'GLACIER_IR',
  'DEEP_ARCHIVE',
  'REDUCED_REDUNDANCY',
  'EXPRESS_ONEZONE',
] as const;

const BUCKET_LENGTH = 'must be 3 to 63 characters (S3 bucket naming rules)';

const sseSchema = z
  .strictObject({
    type: z.enum(['AES256', 'aws:kms']).meta(doc('AES256 (S3-managed keys) or aws:kms', 'aws:kms')),
    kms_key_id: text()
      .optional()
      .meta(
        doc(
          "KMS key of aws:kms; default the bucket's AWS-managed key",
          'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        ),
      ),
    bucket_key: z.boolean().optional().meta(doc('use an S3 Bucket Key with aws:kms (fewer KMS requests)', true)),
  })
  .optional()
  .meta(doc('server-side encryption requested on every write'));

const objectLockSchema = z
  .strictObject({
    mode: z
      .enum(['GOVERNANCE', 'COMPLIANCE'])
      .meta(
        doc(
          'GOVERNANCE (users with s3:BypassGovernanceRetention may delete early) or COMPLIANCE (nobody may)',
          'GOVERNANCE',
        ),
      ),
    retain_days: z.number().int().min(1).max(36500).meta(doc('days each object is locked from its upload', 30)),
  })
  .optional()
  .meta(doc('object lock retention sent with every write (needs s3:PutObjectRetention and a lock-enabled bucket)'));

const networkSchemas = {
  upload: z
    .strictObject({
      part_size: size(5 * MiB, 5 * 1024 * MiB)
        .default(16 * MiB)
        .meta(doc('size of one multipart upload part (5MiB to 5GiB)', '16MiB')),
      queue_size: z.number().int().min(1).max(64).default(4).meta(doc('parts uploaded at once per artifact', 4)),
    })
    .default({ part_size: 16 * MiB, queue_size: 4 })
    .meta(doc("memory of one artifact's upload: a fixed pool of (queue_size + 1) x part_size, reused")),
  timeouts: z
    .strictObject({
      connect: duration(1_000, 300_000)
        .default(DEFAULT_CONNECT_TIMEOUT_MS)
        .meta(doc('TCP and TLS connection set-up of one request', '10s')),
      idle: duration(1_000, 3_600_000)
        .default(DEFAULT_IDLE_TIMEOUT_MS)
        .meta(
          doc(
            "no byte sent or received on a request's connection: the request is abandoned and retried on a new one",
            '60s',
          ),
        ),
    })
    .default({ connect: DEFAULT_CONNECT_TIMEOUT_MS, idle: DEFAULT_IDLE_TIMEOUT_MS })
    .meta(doc('bounds of every S3 and STS request')),
  retry: z
    .strictObject({
      budget: duration(1_000, 86_400_000)
        .default(DEFAULT_RETRY_BUDGET_MS)
        .meta(
          doc(
            'how long one failing request is retried (backoff with jitter, 1s doubling to 30s) before the artifact fails',
            '8m',
          ),
        ),
    })
    .default({ budget: DEFAULT_RETRY_BUDGET_MS })
    .meta(
      doc(
        'retries of network errors, timeouts, 5xx, throttling and clock skew; permanent errors (403, 400, missing bucket) fail at once',
      ),
    ),
};

export const s3DestinationSchema = z.strictObject({
  type: z.literal('s3').meta(doc('s3: an S3 bucket or an S3-compatible store (MinIO, Ceph)', 's3')),
  bucket: z.string().min(3, BUCKET_LENGTH).max(63, BUCKET_LENGTH).meta(doc('bucket name', 'acme-backups')),
  region: text().default('us-east-1').meta(doc('region of the bucket', 'eu-central-1')),
  prefix: keyPrefix().meta(
    doc(
      'key prefix (A-Za-z0-9 . _ - /, no "." or ".." segment); the put-only policy grants s3:PutObject under it only',
      'web/',
    ),
  ),
  endpoint: httpUrl()
    .optional()
    .meta(doc('endpoint URL of an S3-compatible store (http:// or https://)', 'https://minio.example.internal:9000')),
  force_path_style: z
    .boolean()
    .default(false)
    .meta(doc('address the bucket as ENDPOINT/BUCKET instead of BUCKET.ENDPOINT (most S3-compatible stores)', true)),
  storage_class: z
    .enum(storageClasses)
    .optional()
    .meta(doc('storage class of every object; default STANDARD', 'STANDARD_IA')),
  write_once: z
    .boolean()
    .default(true)
    .meta(doc('send If-None-Match: * so an existing backup is never overwritten', true)),
  credentials: credentialsSchema.optional(),
  ca_file: text()
    .optional()
    .meta(
      doc(
        'PEM bundle of a private CA for the endpoint (TLS verification is never turned off)',
        '/etc/backup-agent/minio-ca.pem',
      ),
    ),
  sse: sseSchema,
  object_lock: objectLockSchema,
  ...networkSchemas,
});

export const localDestinationSchema = z.strictObject({
  type: z
    .literal('local')
    .meta(doc('local: a directory (a mounted disk or NFS share); writes are atomic and never overwrite', 'local')),
  path: text().meta(
    doc(
      'directory that receives the same key layout as S3; relative to the config file when relative',
      '/var/backups/agent',
    ),
  ),
  prefix: keyPrefix().meta(doc('key prefix: a directory under path', 'web/')),
});

/** Where backups go: `type` chooses the kind. */
export const destinationSchema = z
  .discriminatedUnion('type', [s3DestinationSchema, localDestinationSchema])
  .meta(doc('where backups are written: an S3 bucket (type: s3) or a directory (type: local)'));

const destinationName = keySegment().meta(
  doc('unique name of this destination, used in logs, `--destination NAME` and metrics labels', 'offsite'),
);

/** One entry of `destinations:`: a destination like `destination:`, plus its name. */
export const namedDestinationSchema = z.discriminatedUnion('type', [
  z.strictObject({ name: destinationName, ...s3DestinationSchema.shape }),
  z.strictObject({ name: destinationName, ...localDestinationSchema.shape }),
]);

/** Several destinations, each receiving the same bytes; not together with `destination`. */
export const destinationsSchema = z
  .array(namedDestinationSchema)
  .min(1)
  .meta(
    doc(
      'instead of destination: several destinations (a second copy), each artifact compressed once and written to all in parallel; the first is the default of operator commands',
    ),
  );
