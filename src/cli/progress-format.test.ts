import { describe, expect, it } from 'vitest';
import { formatEta, formatProgressLine, formatRate, RateMeter } from './progress-format.js';

const MiB = 1024 * 1024;

describe('progress formatting', () => {
  it('formats rates and ETAs for people', () => {
    expect(formatRate(98.2 * MiB)).toBe('98.2 MiB/s');
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatEta(6.2)).toBe('0:07');
    expect(formatEta(725)).toBe('12:05');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(formatEta(undefined)).toBe('--:--');
    expect(formatEta(Infinity)).toBe('--:--');
    expect(formatEta(400 * 3600)).toBe('--:--');
  });

  it('shows bytes of total, percentage, rate, ETA and stored bytes when the total is known', () => {
    const line = formatProgressLine(
      { label: 'files "www"', read: 412 * MiB, total: 1024 * MiB, rate: 100 * MiB, stored: 130 * MiB },
      200,
    );
    expect(line).toBe('files "www"  412.0 MiB / 1.0 GiB  40%  100.0 MiB/s  ETA 0:07  stored 130.0 MiB');
  });

  it('shows bytes and rate but no ETA without a total (dumps)', () => {
    expect(
      formatProgressLine(
        { label: 'mysql "db" (shop)', read: 230 * MiB, total: undefined, rate: 41 * MiB, stored: 60 * MiB },
        200,
      ),
    ).toBe('mysql "db" (shop)  230.0 MiB  41.0 MiB/s  stored 60.0 MiB');
  });

  it('never claims 100% or a negative ETA when the estimate was low, and fits the terminal', () => {
    const over = formatProgressLine(
      { label: 'files "www"', read: 11 * MiB, total: 10 * MiB, rate: MiB, stored: MiB },
      200,
    );
    expect(over).toContain('99%  1.0 MiB/s  ETA --:--');
    const cut = formatProgressLine(
      { label: 'files "a-very-long-asset-name"', read: MiB, total: 2 * MiB, rate: MiB, stored: MiB },
      40,
    );
    expect(cut).toHaveLength(39);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('measures the rate over a recent window', () => {
    const meter = new RateMeter(5_000);
    expect(meter.sample(0, 0)).toBe(0);
    expect(meter.sample(1_000, 10 * MiB)).toBe(10 * MiB);
    for (let t = 2_000; t <= 10_000; t += 1_000) meter.sample(t, 10 * MiB + ((t - 1_000) / 1_000) * MiB); // slows to 1 MiB/s
    expect(meter.sample(11_000, 20 * MiB)).toBeCloseTo(MiB, -3);
  });
});
