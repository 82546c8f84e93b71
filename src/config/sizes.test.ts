import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, parseSize } from './sizes.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe('parseSize', () => {
  it('accepts non-negative integer byte counts as numbers', () => {
    expect(parseSize(1048576)).toBe(MiB);
    expect(parseSize(0)).toBe(0);
  });

  it('rejects numbers that are not a whole byte count', () => {
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(1.5)).toBeUndefined();
    expect(parseSize(Number.NaN)).toBeUndefined();
    expect(parseSize(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseSize(2 ** 53)).toBeUndefined();
  });

  it('reads binary units, with k/m/g/t meaning the binary ones', () => {
    expect(parseSize('16MiB')).toBe(16 * MiB);
    expect(parseSize('512KiB')).toBe(512 * KiB);
    expect(parseSize('2GiB')).toBe(2 * GiB);
    expect(parseSize('1TiB')).toBe(TiB);
    expect(parseSize('16M')).toBe(16 * MiB);
    expect(parseSize('8k')).toBe(8 * KiB);
    expect(parseSize('1g')).toBe(GiB);
    expect(parseSize('1t')).toBe(TiB);
  });

  it('reads decimal units', () => {
    expect(parseSize('5 GB')).toBe(5_000_000_000);
    expect(parseSize('1.5 GB')).toBe(1_500_000_000);
    expect(parseSize('100kB')).toBe(100_000);
    expect(parseSize('2MB')).toBe(2_000_000);
    expect(parseSize('1TB')).toBe(1e12);
  });

  it('reads plain and byte-suffixed numbers, ignoring case and surrounding spaces', () => {
    expect(parseSize('1048576')).toBe(MiB);
    expect(parseSize('100 B')).toBe(100);
    expect(parseSize('  16 mib ')).toBe(16 * MiB);
    expect(parseSize('16MIB')).toBe(16 * MiB);
  });

  it('rounds fractional results to whole bytes', () => {
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('0.1KiB')).toBe(102);
  });

  it('rejects strings that are not sizes', () => {
    for (const text of ['', '  ', 'MiB', 'abc', '-1', '-5MiB', '1e3', '16 XB', '16 MiBs', '1,5GB', '16 Mi B', '0x10']) {
      expect(parseSize(text), text).toBeUndefined();
    }
  });

  it('rejects sizes beyond what a number holds exactly', () => {
    expect(parseSize('8191 TiB')).toBe(8191 * TiB); // just under 2^53
    expect(parseSize('99999999 TiB')).toBeUndefined();
  });
});

describe('formatBytes', () => {
  it('prints small counts as bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('prints larger counts with one decimal in binary units', () => {
    expect(formatBytes(KiB)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(16 * MiB)).toBe('16.0 MiB');
    expect(formatBytes(2.25 * GiB)).toBe('2.3 GiB');
    expect(formatBytes(3 * TiB)).toBe('3.0 TiB');
  });

  it('stops at TiB', () => {
    expect(formatBytes(2048 * TiB)).toBe('2048.0 TiB');
  });

  it('round-trips with parseSize for whole units', () => {
    for (const text of ['1.0 KiB', '16.0 MiB', '3.0 TiB']) {
      expect(formatBytes(parseSize(text)!)).toBe(text);
    }
  });

  it('rounds before choosing the unit', () => {
    expect(formatBytes(1048575)).toBe('1.0 MiB');
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and combinations', async () => {
    const { parseDuration } = await import('./sizes.js');
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('26h')).toBe(93_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('15 minutes')).toBeUndefined();
  });
});

describe('formatSizeSetting and formatDurationSetting', () => {
  it('write values as a config would, in the largest whole unit, and parse back exactly', async () => {
    const { formatDurationSetting, formatSizeSetting, parseDuration } = await import('./sizes.js');
    expect([16 * 1024 ** 2, 5 * 1024 ** 3, 64 * 1000 ** 2, 3 * 1024, 1000, 1536, 0].map(formatSizeSetting)).toEqual([
      '16MiB',
      '5GiB',
      '64MB',
      '3KiB',
      '1kB',
      1536,
      0,
    ]);
    expect([93_600_000, 300_000, 90_000, 86_400_000, 1_500, 0].map(formatDurationSetting)).toEqual([
      '26h',
      '5m',
      '90s',
      '1d',
      '1500ms',
      '0s',
    ]);
    for (const bytes of [16 * 1024 ** 2, 64 * 1000 ** 2, 1536, 1001])
      expect(parseSize(formatSizeSetting(bytes))).toBe(bytes);
    for (const ms of [93_600_000, 300_000, 90_000, 1_500, 0]) expect(parseDuration(formatDurationSetting(ms))).toBe(ms);
  });
});

describe('formatMs', () => {
  it('prints whole hours and minutes short, longer spans as minutes and seconds, short ones to 0.1 s', () => {
    expect([23 * 3_600_000, 300_000, 471_400, 119_700, 90_000, 1_500, 4_230].map(formatMs)).toEqual([
      '23h',
      '5m',
      '7m51s',
      '2m',
      '1m30s',
      '1.5s',
      '4.2s',
    ]);
  });
});
