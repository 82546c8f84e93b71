// The full/differential policy every incremental source shares: a full (level 0) when there is none to
// build on or `full_every` has passed since it, else a differential (level 1) against that full.
// With put-only credentials, retention is a lifecycle rule per tier prefix: a differential is made only
// when its full's tier keeps the full at least as long as this run's tier keeps the differential.

const DAY_MS = 86_400_000;

/** What the policy decides, and why (the why is logged and recorded in the manifest). */
export interface LevelDecision {
  level: 0 | 1;
  reason: string;
}

/** Days each tier keeps its objects (`retention`); a tier absent keeps them (no lifecycle rule). */
export interface TierExpiry {
  /** The tier the last full was written under, and this run's tier. */
  fullTier: string;
  tier: string;
  retention: Partial<Record<string, number>>;
}

/** The facts the policy needs: the run's start, `full_every` (ms), and when the last full that landed started (undefined: none, or its local state is missing or suspect). */
export interface LevelInput {
  now: Date;
  fullEvery: number;
  lastFull: Date | undefined;
  /** When given, a differential must not outlive its full under the tiers' lifecycle rules (see {@link fullOutlives}). */
  expiry?: TierExpiry;
}

/** Decides the level of this run. Never throws; a last full in the future (a clock jump) counts as suspect. */
export function decideLevel({ now, fullEvery, lastFull, expiry }: LevelInput): LevelDecision {
  if (lastFull === undefined) return { level: 0, reason: 'no earlier full to build on' };
  const age = now.getTime() - lastFull.getTime();
  if (age < 0) return { level: 0, reason: `the last full (${lastFull.toISOString()}) is dated in the future` };
  if (age >= fullEvery)
    return { level: 0, reason: `the last full (${lastFull.toISOString()}) is older than full_every` };
  if (expiry !== undefined && !fullOutlives(lastFull, now, expiry)) {
    const days = (tier: string) =>
      expiry.retention[tier] === undefined ? 'no expiry' : `${expiry.retention[tier]} days`;
    return {
      level: 0,
      reason: `the last full (${lastFull.toISOString()}, ${expiry.fullTier}: ${days(expiry.fullTier)}) would expire before a differential of today (${expiry.tier}: ${days(expiry.tier)})`,
    };
  }
  return { level: 1, reason: `differential against the full of ${lastFull.toISOString()}` };
}

/**
 * Whether a full started at `fullStart` under `fullTier` is kept at least as long as an object written
 * at `now` under `tier`. S3 lifecycle rules expire an object at the midnight (UTC) after its creation
 * day plus the rule's days, so this compares whole UTC days: full's day + its days >= today + this tier's days.
 * A tier without retention keeps its objects.
 */
export function fullOutlives(fullStart: Date, now: Date, { fullTier, tier, retention }: TierExpiry): boolean {
  const fullDays = retention[fullTier];
  const days = retention[tier];
  if (fullDays === undefined) return true;
  if (days === undefined) return false;
  const day = (date: Date) => Math.floor(date.getTime() / DAY_MS);
  return day(fullStart) + fullDays >= day(now) + days;
}
