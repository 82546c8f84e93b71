// Object keys: {prefix}{tier}/{date}/{host}/{asset}/{stamp}[--{label}][--{random}].{ext}, all in UTC.
import { randomBytes } from 'node:crypto';
import type { Tier } from '../config/tiers.js';

/** Calendar rule of each tier: does a backup taken on `date` (UTC) belong to it? */
const TIER_RULES: Record<Tier, (date: Date) => boolean> = {
  yearly: (d) => d.getUTCMonth() === 0 && d.getUTCDate() === 1,
  monthly: (d) => d.getUTCDate() === 1,
  weekly: (d) => d.getUTCDay() === 0,
  daily: () => true,
};

/** Returns the longest-kept configured tier whose calendar rule matches `date`. */
export function tierFor(date: Date, retention: Partial<Record<Tier, number>>): Tier {
  let best: { tier: Tier; days: number } | undefined;
  for (const [tier, days] of Object.entries(retention) as [Tier, number][]) {
    if (!TIER_RULES[tier](date)) continue;
    if (best === undefined || days > best.days) best = { tier, days };
  }
  if (best === undefined) throw new Error('retention has no tier for this date (daily is required)');
  return best.tier;
}

/** The run's time as key parts: `2026-11-22` and `20261122T031500Z`. */
export function timeParts(date: Date): { day: string; stamp: string } {
  const iso = date.toISOString(); // 2026-11-22T03:15:00.000Z
  return { day: iso.slice(0, 10), stamp: `${iso.slice(0, 19).replace(/[-:]/g, '')}Z` };
}

/**
 * The time a key name starting with a stamp (`20261122T031500Z…`, already matched as such) names: the
 * inverse of timeParts().stamp.
 */
export function stampTime(name: string): Date {
  const field = (from: number, to: number) => Number(name.slice(from, to));
  return new Date(Date.UTC(field(0, 4), field(4, 6) - 1, field(6, 8), field(9, 11), field(11, 13), field(13, 15)));
}

/** 64 characters of base64url (48 random bytes): makes a key unguessable. */
export function randomSuffix(): string {
  return randomBytes(48).toString('base64url');
}

export interface KeyContext {
  prefix: string;
  tier: Tier;
  day: string;
  stamp: string;
  host: string;
  randomize: boolean;
}

/** The key of one artifact; `label` is e.g. a database name (characters outside A-Za-z0-9._- become `_`). */
export function artifactKey(ctx: KeyContext, asset: string, extension: string, label?: string): string {
  const name = [ctx.stamp, label?.replace(/[^A-Za-z0-9._-]/g, '_'), ctx.randomize ? randomSuffix() : undefined]
    .filter(Boolean)
    .join('--');
  return `${ctx.prefix}${ctx.tier}/${ctx.day}/${ctx.host}/${asset}/${name}.${extension}`;
}

/** The key of the run's manifest, written after every artifact. */
export function manifestKey(ctx: KeyContext): string {
  const name = [ctx.stamp, ctx.randomize ? randomSuffix() : undefined].filter(Boolean).join('--');
  return `${ctx.prefix}${ctx.tier}/${ctx.day}/${ctx.host}/${name}.manifest.json`;
}

/** The folder every key of `tier` lives under: `{prefix}{tier}/` (one lifecycle rule expires it). */
export function tierPrefix(prefix: string, tier: Tier): string {
  return `${prefix}${tier}/`;
}

/** Where `backup-agent check` writes its test objects: `{prefix}_check/` (expired by lifecycle after a day). */
export function checkPrefix(prefix: string): string {
  return `${prefix}_check/`;
}

/** A fresh key for one check's test object: unique per check, so write-once never refuses it. */
export function checkKey(prefix: string, host: string, date: Date): string {
  return `${checkPrefix(prefix)}${host}/${timeParts(date).stamp}--${randomBytes(8).toString('hex')}.txt`;
}
