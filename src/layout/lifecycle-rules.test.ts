import { describe, expect, it } from 'vitest';
import { lifecycleConfiguration, mergeLifecycleRules, ownedRuleIds, ruleId } from './lifecycle-rules.js';

describe('lifecycleConfiguration', () => {
  it('has one expiry per configured tier folder, the check folder, and aborts unfinished uploads under the prefix', () => {
    const { Rules } = lifecycleConfiguration('web/', { daily: 7, monthly: 365 });
    expect(Rules).toEqual([
      {
        ID: 'backup-agent:daily:web/',
        Status: 'Enabled',
        Filter: { Prefix: 'web/daily/' },
        Expiration: { Days: 7 },
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      },
      {
        ID: 'backup-agent:monthly:web/',
        Status: 'Enabled',
        Filter: { Prefix: 'web/monthly/' },
        Expiration: { Days: 365 },
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
      },
      {
        ID: 'backup-agent:_check:web/',
        Status: 'Enabled',
        Filter: { Prefix: 'web/_check/' },
        Expiration: { Days: 1 },
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
      {
        ID: 'backup-agent:abort-uploads:web/',
        Status: 'Enabled',
        Filter: { Prefix: 'web/' },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  it('keeps IDs distinct and within 255 characters for any prefix', () => {
    expect(ruleId('', 'daily')).not.toBe(ruleId('a', 'daily'));
    const long = 'x/'.repeat(200);
    expect(ruleId(long, 'daily')).toMatch(/^backup-agent:daily:#[0-9a-f]{64}$/);
    expect(ruleId(long, 'daily')).not.toBe(ruleId(`${long}y/`, 'daily'));
  });
});

describe('mergeLifecycleRules', () => {
  const other = {
    ID: 'backup-agent:daily:db/',
    Status: 'Enabled',
    Filter: { Prefix: 'db/daily/' },
    Expiration: { Days: 3 },
  };
  const manual = { ID: 'logs-30d', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } };

  it('adds our rules and keeps every rule of other prefixes untouched', () => {
    const ours = lifecycleConfiguration('web/', { daily: 7 });
    const merged = mergeLifecycleRules([other, manual], 'web/', ours);
    expect(merged.configuration.Rules.slice(0, 2)).toEqual([other, manual]);
    expect(merged.configuration.Rules.slice(2)).toEqual(ours.Rules);
    expect(merged.kept).toEqual(['backup-agent:daily:db/', 'logs-30d']);
    expect(merged.changes.map((c) => c.change)).toEqual(['added', 'added', 'added']);
  });

  it('replaces changed rules, reports unchanged ones, and removes tiers dropped from retention', () => {
    const before = lifecycleConfiguration('web/', { daily: 7, weekly: 28 }).Rules;
    const merged = mergeLifecycleRules([manual, ...before], 'web/', lifecycleConfiguration('web/', { daily: 14 }));
    expect(merged.changes).toEqual([
      { id: 'backup-agent:daily:web/', change: 'replaced', description: 'expire web/daily/ after 14 days' },
      { id: 'backup-agent:_check:web/', change: 'unchanged', description: 'expire web/_check/ after 1 day' },
      {
        id: 'backup-agent:abort-uploads:web/',
        change: 'unchanged',
        description: 'abort incomplete multipart uploads under web/ after 7 days',
      },
      { id: 'backup-agent:weekly:web/', change: 'removed', description: 'no longer configured in retention' },
    ]);
    expect(merged.configuration.Rules.map((r) => r.ID)).toEqual([
      'logs-30d',
      'backup-agent:daily:web/',
      'backup-agent:_check:web/',
      'backup-agent:abort-uploads:web/',
    ]);
    expect(ownedRuleIds('web/').has('logs-30d')).toBe(false);
  });

  it('points out a foreign rule on one of our folders', () => {
    const foreign = { ID: 'old-manual', Status: 'Enabled', Filter: { Prefix: 'web/daily/' }, Expiration: { Days: 2 } };
    expect(mergeLifecycleRules([foreign], 'web/', lifecycleConfiguration('web/', { daily: 7 })).overlapping).toEqual([
      'old-manual',
    ]);
  });
});
