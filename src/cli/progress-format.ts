// Formats what the progress display shows: bytes, rate and ETA of one artifact, on one terminal line.
import { formatBytes } from '../config/sizes.js';

/** What one line shows. */
export interface ProgressSnapshot {
  label: string;
  /** Uncompressed bytes read so far. */
  read: number;
  stored: number;
  /** Expected final `read`; undefined when unknown (dumps; files still being listed). */
  total: number | undefined;
  /** Bytes read per second, recently. */
  rate: number;
}

/** `12.3 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

/** `0:07`, `12:05`, `1:02:03`; `--:--` when unknown or beyond 99 hours. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds >= 100 * 3600) return '--:--';
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * `files "www"  412.0 MiB / 1.0 GiB  40%  98.2 MiB/s  ETA 0:06  stored 130.1 MiB`; without a total
 * no percentage or ETA. The total is an estimate, so the percentage stops at 99 until the end.
 * Cut to `width - 1` characters so the terminal never wraps it (the redraw relies on one row per line).
 */
export function formatProgressLine(s: ProgressSnapshot, width = 80): string {
  const parts = [s.label];
  if (s.total !== undefined && s.total > 0) {
    const percent = Math.min(99, Math.floor((s.read / s.total) * 100));
    const eta = s.rate > 0 && s.read < s.total ? (s.total - s.read) / s.rate : undefined;
    parts.push(
      `${formatBytes(s.read)} / ${formatBytes(s.total)}`,
      `${percent}%`,
      formatRate(s.rate),
      `ETA ${formatEta(eta)}`,
    );
  } else {
    parts.push(formatBytes(s.read), formatRate(s.rate));
  }
  parts.push(`stored ${formatBytes(s.stored)}`);
  const line = parts.join('  ');
  return line.length < width ? line : `${line.slice(0, Math.max(0, width - 2))}…`;
}

/** Bytes per second over the last `windowMs`, from samples of a growing counter. */
export class RateMeter {
  readonly #samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5_000) {}

  /** Records the counter's value `bytes` at time `at` (ms) and returns the current rate. */
  sample(at: number, bytes: number): number {
    this.#samples.push({ at, bytes });
    // Drop the oldest sample while the one after it still spans the window.
    while (this.#samples.length > 2) {
      const second = this.#samples[1];
      if (second === undefined || at - second.at < this.windowMs) break;
      this.#samples.shift();
    }
    const first = this.#samples[0] ?? { at, bytes }; // never taken: the sample at `at` was just pushed
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? (bytes - first.bytes) / seconds : 0;
  }
}
