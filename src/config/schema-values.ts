// Value types the config schema shares (key-safe names, prefixes, URLs, sizes, durations), so every
// section spells them, and their error messages, the same way.
import { z } from 'zod';
import { withUnit } from './setting-units.js';
import { formatDurationSetting, formatSizeSetting, parseDuration, parseSize } from './sizes.js';

/** Characters allowed in names that become parts of object keys. */
export const KEY_SAFE = /^[A-Za-z0-9._-]+$/;
const KEY_PREFIX_SAFE = /^[A-Za-z0-9._\-/]*$/;

export const MiB = 1024 * 1024;

/** A name that becomes one segment of keys (and, with a local destination, of paths). */
export const keySegment = () =>
  z
    .string()
    .regex(KEY_SAFE, 'may contain only A-Za-z0-9 . _ -')
    .refine((name) => name !== '.' && name !== '..', 'cannot be "." or "..": it becomes a directory in keys and paths')
    .refine((name) => !name.startsWith('-'), 'cannot start with "-": programs given it would read it as an option');

/** A key prefix: relative and without "." or ".." segments (with a local destination it is a path under `path`). */
export const keyPrefix = () =>
  z
    .string()
    .regex(KEY_PREFIX_SAFE, 'may contain only A-Za-z0-9 . _ - /')
    .refine((p) => !p.startsWith('/'), 'must not start with /')
    .refine(
      (p) => !p.split('/').some((segment) => segment === '.' || segment === '..'),
      'cannot have a "." or ".." segment: it would point outside the destination',
    )
    .default('');

/** An http(s) URL: endpoints, webhooks and pings are never file:, ftp: or anything else. */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** A size in bytes, written `16MiB`, `64 MB` or as a byte count, within [min, max]. */
export const size = (min: number, max: number) =>
  withUnit(
    'size',
    z.union([z.number(), z.string()], 'must be a size (examples: 16MiB, 64 MB, 8388608)').transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (examples: 16MiB, 64 MB, 8388608)` });
        return z.NEVER;
      }
      if (bytes < min || bytes > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${value} is out of range (${formatSizeSetting(min)} to ${formatSizeSetting(max)})`,
        });
        return z.NEVER;
      }
      return bytes;
    }),
  );

/** A duration in milliseconds, written `90s`, `15m`, `26h`, `7d` or as seconds, within [min, max]. */
export const duration = (min: number, max: number) =>
  withUnit(
    'duration',
    z.union([z.number(), z.string()], 'must be a duration (examples: 90s, 15m, 26h, 7d)').transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a duration (examples: 90s, 15m, 26h, 7d; a bare number is seconds)`,
        });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${value} is out of range (${formatDurationSetting(min)} to ${formatDurationSetting(max)})`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  );

/** The documentation of one key: what it is for and one value that validates (shown in docs/config.md). */
export const doc = (description: string, example?: unknown) =>
  example === undefined ? { description } : { description, examples: [example] };
