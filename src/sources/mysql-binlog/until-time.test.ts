import { describe, expect, it } from 'vitest';
import { localDatetime, parseUntil } from './until-time.js';

describe('--until TIME', () => {
  it('reads local times and times with a zone, to the second', () => {
    expect(parseUntil('2026-12-05T16:00:00Z').toISOString()).toBe('2026-12-05T16:00:00.000Z');
    expect(parseUntil('2026-12-05T17:30:00+01:30').toISOString()).toBe('2026-12-05T16:00:00.000Z');
    expect(parseUntil('2026-12-05 17:00:00+0100').toISOString()).toBe('2026-12-05T16:00:00.000Z');
    const local = parseUntil('2026-12-05 17:00:09');
    expect(localDatetime(local)).toBe('2026-12-05 17:00:09');
    expect(parseUntil('2026-12-05T17:00:09').getTime()).toBe(local.getTime());
  });
  it('refuses fractions, nonsense and dates that do not exist', () => {
    expect(() => parseUntil('2026-12-05 17:00:00.5')).toThrow(/whole seconds/);
    expect(() => parseUntil('yesterday')).toThrow(/--until "yesterday": not a time/);
    expect(() => parseUntil('2026-02-30 10:00:00')).toThrow(/does not exist/);
  });
});
