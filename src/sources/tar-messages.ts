// Classifies GNU tar's stderr lines into skipped files, warnings, and real failures.
import type { SkippedPath } from './source.js';

/** What one stderr line of `tar --create` (LC_ALL=C, names relative to /) means. */
export type TarMessage =
  | { kind: 'skipped'; entry: SkippedPath }
  | { kind: 'warning'; entry: SkippedPath }
  | { kind: 'ignore' }
  | { kind: 'totals'; bytes: number }
  | { kind: 'checkpoint'; bytes: number }
  | { kind: 'unknown'; line: string };

// tar prefixes messages with its argv[0]: `tar: ` or `/usr/bin/tar: `.
const PREFIX = String.raw`^(?:\S*/)?tar: `;
const SKIPPED = new RegExp(String.raw`${PREFIX}(.+): (Cannot open|Cannot stat|Cannot readlink|Cannot savedir|Read error at byte \d+, while reading \d+ bytes): (.+)$`);
const REMOVED = new RegExp(String.raw`${PREFIX}(.+): File removed before we read it$`);
const WARNING = new RegExp(String.raw`${PREFIX}(.+): (file changed as we read it|File shrank by \d+ bytes; padding with zeros|socket ignored|door ignored)$`);
const TOTALS = /^Total bytes written: (\d+) /;
/** tar's record: the default blocking factor 20 x 512-byte blocks; checkpoints count records written. */
export const TAR_RECORD_SIZE = 20 * 512;
/** Records between two progress checkpoints (about 1 MiB of archive). */
export const CHECKPOINT_RECORDS = 100;
/** Arguments that make tar report progress on stderr (a message about a file always ends in `: reason`, never in the number). */
export const CHECKPOINT_ARGS = [`--checkpoint=${CHECKPOINT_RECORDS}`, '--checkpoint-action=echo=@backup-agent-checkpoint %u'];
const CHECKPOINT = new RegExp(String.raw`${PREFIX}@backup-agent-checkpoint (\d+)$`);
const EXITING = new RegExp(String.raw`${PREFIX}Exiting with failure status due to previous errors$`);

/** Parses one line of tar's stderr. Paths in entries are absolute. */
export function classifyTarMessage(line: string): TarMessage {
  if (line.trim() === '' || EXITING.test(line)) return { kind: 'ignore' };
  const totals = TOTALS.exec(line);
  if (totals) return { kind: 'totals', bytes: Number(totals[1]) };
  const checkpoint = CHECKPOINT.exec(line);
  if (checkpoint) return { kind: 'checkpoint', bytes: Number(checkpoint[1]) * TAR_RECORD_SIZE };
  let match = SKIPPED.exec(line);
  if (match) return { kind: 'skipped', entry: { path: `/${match[1]}`, reason: `${match[2]}: ${match[3]!.toLowerCase()}` } };
  match = REMOVED.exec(line);
  if (match) return { kind: 'skipped', entry: { path: `/${match[1]}`, reason: 'removed before it was read' } };
  match = WARNING.exec(line);
  if (match) return { kind: 'warning', entry: { path: `/${match[1]}`, reason: match[2]! } };
  return { kind: 'unknown', line };
}
