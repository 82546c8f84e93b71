// Retention as S3 lifecycle rules: one expiry per tier prefix, the check folder, abandoned uploads;
// and the merge that replaces only this prefix's rules in a bucket's single lifecycle document.
import { createHash } from 'node:crypto';
import { tierNames, type Tier } from '../config/tiers.js';
import { checkPrefix, tierPrefix } from './keys.js';

/** Days after which an unfinished multipart upload (a failed run of a put-only host) is removed. */
export const ABORT_INCOMPLETE_DAYS = 7;
/** Days a `backup-agent check` test object is kept. */
export const CHECK_EXPIRY_DAYS = 1;
/** AWS limit on a rule ID. */
const MAX_ID_LENGTH = 255;

/** One rule in the PutBucketLifecycleConfiguration shape. */
export interface LifecycleRule {
  ID: string;
  Status: 'Enabled';
  Filter: { Prefix: string };
  Expiration?: { Days: number };
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

/** What `aws s3api put-bucket-lifecycle-configuration --lifecycle-configuration` takes. */
export interface LifecycleConfiguration {
  Rules: LifecycleRule[];
}

/** A rule as read back from a bucket: ours or anybody's, any fields. */
export interface ExistingRule {
  ID?: string | undefined;
  Filter?: { Prefix?: string | undefined } | undefined;
  /** The legacy top-level filter. */
  Prefix?: string | undefined;
}

type RuleKind = Tier | '_check' | 'abort-uploads';
const KINDS: RuleKind[] = [...tierNames, '_check', 'abort-uploads'];

/**
 * The stable ID of this prefix's rule of `kind`: `backup-agent:daily:web/`. The prefix comes last
 * and cannot contain `:` or `#`, so IDs of different prefixes never collide; a prefix too long for
 * AWS's 255 characters is replaced by `#` and its sha256.
 */
export function ruleId(prefix: string, kind: RuleKind): string {
  const id = `backup-agent:${kind}:${prefix}`;
  return id.length <= MAX_ID_LENGTH ? id : `backup-agent:${kind}:#${createHash('sha256').update(prefix).digest('hex')}`;
}

/** Every ID this prefix may own, configured or not (a tier dropped from retention loses its rule). */
export function ownedRuleIds(prefix: string): Set<string> {
  return new Set(KINDS.map((kind) => ruleId(prefix, kind)));
}

/**
 * The lifecycle rules implementing `retention` under `prefix`: each configured tier's folder
 * expires after its days (noncurrent versions too, never sooner, so versioned and object-lock
 * buckets free the space), check objects after {@link CHECK_EXPIRY_DAYS}, and unfinished multipart
 * uploads anywhere under the prefix after {@link ABORT_INCOMPLETE_DAYS}.
 */
export function lifecycleConfiguration(
  prefix: string,
  retention: Partial<Record<Tier, number>>,
): LifecycleConfiguration {
  const expire = (kind: RuleKind, folder: string, days: number): LifecycleRule => ({
    ID: ruleId(prefix, kind),
    Status: 'Enabled',
    Filter: { Prefix: folder },
    Expiration: { Days: days },
    NoncurrentVersionExpiration: { NoncurrentDays: days },
  });
  const tierRules = tierNames.flatMap((tier) => {
    const days = retention[tier];
    return days === undefined ? [] : [expire(tier, tierPrefix(prefix, tier), days)];
  });
  return {
    Rules: [
      ...tierRules,
      expire('_check', checkPrefix(prefix), CHECK_EXPIRY_DAYS),
      {
        ID: ruleId(prefix, 'abort-uploads'),
        Status: 'Enabled',
        Filter: { Prefix: prefix },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_DAYS },
      },
    ],
  };
}

/** What a rule does, for people: `expire web/daily/ after 7 days`. */
export function describeRule(rule: LifecycleRule): string {
  const where = rule.Filter.Prefix || '(whole bucket)';
  if (rule.Expiration)
    return `expire ${where} after ${rule.Expiration.Days} day${rule.Expiration.Days === 1 ? '' : 's'}`;
  const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
  return `abort incomplete multipart uploads under ${where} after ${days} days`;
}

/** One line of what `lifecycle --apply` changed. */
export interface LifecycleChange {
  id: string;
  change: 'added' | 'replaced' | 'unchanged' | 'removed';
  description: string;
}

/** The bucket's new document, what changed, and the rules of others that were kept. */
export interface LifecycleMerge {
  configuration: { Rules: (LifecycleRule | ExistingRule)[] };
  changes: LifecycleChange[];
  /** IDs of rules that are not this prefix's, kept as they were. */
  kept: string[];
  /** Rules of others whose filter is one of our folders (the shortest expiry wins on S3). */
  overlapping: string[];
}

/** The fields that decide what a rule does, in a fixed order, for comparing a rule read back with ours. */
function essence(rule: LifecycleRule | ExistingRule): string {
  const r = rule as Partial<LifecycleRule>;
  return JSON.stringify([
    r.Status,
    r.Filter?.Prefix,
    r.Expiration?.Days,
    r.NoncurrentVersionExpiration?.NoncurrentDays,
    r.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
  ]);
}

/**
 * Merges `ours` into the bucket's `existing` rules: rules with an ID {@link ownedRuleIds} of
 * `prefix` are replaced (or removed when no longer configured); every other rule is kept unchanged
 * and in its place, so hosts sharing the bucket under other prefixes keep their retention.
 */
export function mergeLifecycleRules(
  existing: ExistingRule[],
  prefix: string,
  ours: LifecycleConfiguration,
): LifecycleMerge {
  const owned = ownedRuleIds(prefix);
  const previous = new Map(
    existing.flatMap((r) => (r.ID !== undefined && owned.has(r.ID) ? [[r.ID, r] as const] : [])),
  );
  const others = existing.filter((r) => r.ID === undefined || !owned.has(r.ID));
  const changes: LifecycleChange[] = ours.Rules.map((rule) => {
    const before = previous.get(rule.ID);
    const change = before === undefined ? 'added' : essence(before) === essence(rule) ? 'unchanged' : 'replaced';
    return { id: rule.ID, change, description: describeRule(rule) };
  });
  const configured = new Set(ours.Rules.map((r) => r.ID));
  for (const id of previous.keys())
    if (!configured.has(id)) changes.push({ id, change: 'removed', description: 'no longer configured in retention' });
  const folders = new Set(ours.Rules.filter((r) => r.Expiration).map((r) => r.Filter.Prefix));
  const overlapping = others
    .filter((r) => folders.has(r.Filter?.Prefix ?? r.Prefix ?? ''))
    .map((r) => r.ID ?? '(rule without ID)');
  return {
    configuration: { Rules: [...others, ...ours.Rules] },
    changes,
    kept: others.map((r) => r.ID ?? '(rule without ID)'),
    overlapping,
  };
}
