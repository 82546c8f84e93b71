import { describe, expect, it } from 'vitest';
import { decideLevel } from './incremental-policy.js';

const DAY = 86_400_000;
const now = new Date('2026-12-05T03:00:00Z');

describe('decideLevel', () => {
  it('makes a full when there is no earlier full', () => {
    expect(decideLevel({ now, fullEvery: 7 * DAY, lastFull: undefined })).toEqual({
      level: 0,
      reason: 'no earlier full to build on',
    });
  });

  it('makes a differential while the full is younger than full_every, a full once it is not', () => {
    expect(decideLevel({ now, fullEvery: 7 * DAY, lastFull: new Date(now.getTime() - 6 * DAY) }).level).toBe(1);
    expect(decideLevel({ now, fullEvery: 7 * DAY, lastFull: new Date(now.getTime() - 7 * DAY) }).level).toBe(0);
  });

  it('makes a full when the last full is dated in the future', () => {
    const decision = decideLevel({ now, fullEvery: 7 * DAY, lastFull: new Date(now.getTime() + DAY) });
    expect(decision).toMatchObject({ level: 0, reason: expect.stringContaining('future') as string });
  });
});

describe('decideLevel with tier expiry', () => {
  const retention = { daily: 7, weekly: 28 };
  const sunday = new Date('2026-12-06T03:00:00Z');

  it('makes differentials on the days after a full kept longer (weekly), a full when the daily full would expire first', () => {
    const monday = new Date(sunday.getTime() + DAY);
    const weekly = { fullTier: 'weekly', tier: 'daily', retention };
    expect(decideLevel({ now: monday, fullEvery: 7 * DAY, lastFull: sunday, expiry: weekly }).level).toBe(1);
    const daily = { fullTier: 'daily', tier: 'daily', retention };
    const decision = decideLevel({ now: monday, fullEvery: 7 * DAY, lastFull: sunday, expiry: daily });
    expect(decision.level).toBe(0);
    expect(decision.reason).toContain('would expire before a differential of today (daily: 7 days)');
  });

  it('allows a differential on the full’s own day in the same tier, and never one under a tier without expiry against one with', () => {
    const later = new Date(sunday.getTime() + 3_600_000);
    expect(
      decideLevel({
        now: later,
        fullEvery: DAY,
        lastFull: sunday,
        expiry: { fullTier: 'daily', tier: 'daily', retention },
      }).level,
    ).toBe(1);
    expect(
      decideLevel({
        now: later,
        fullEvery: DAY,
        lastFull: sunday,
        expiry: { fullTier: 'daily', tier: 'monthly', retention },
      }).level,
    ).toBe(0);
    expect(
      decideLevel({
        now: later,
        fullEvery: DAY,
        lastFull: sunday,
        expiry: { fullTier: 'monthly', tier: 'daily', retention },
      }).level,
    ).toBe(1);
  });
});
