import { describe, expect, it } from 'vitest';
import { parseSince } from './operator-context.js';

describe('parseSince', () => {
  const now = new Date('2026-11-22T10:00:00Z');
  it('takes a duration back from now, a date (UTC midnight) or an ISO time', () => {
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-15T10:00:00.000Z');
    expect(parseSince('36h', now).toISOString()).toBe('2026-11-20T22:00:00.000Z');
    expect(parseSince('2026-11-20', now).toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(parseSince('2026-11-20T12:30:00Z', now).toISOString()).toBe('2026-11-20T12:30:00.000Z');
    expect(parseSince(undefined, now)).toBeUndefined();
  });
  it('refuses anything else, quoting it (a bare number is ambiguous)', () => {
    expect(() => parseSince('last week', now)).toThrow(
      '--since "last week" is neither a duration (7d, 36h) nor a date (2026-11-20)',
    );
    expect(() => parseSince('7', now)).toThrow('--since "7" is neither');
  });
});
