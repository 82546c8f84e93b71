// Classifies GNU tar's stderr lines into skipped files, warnings, and real failures.
import { decodeFileName, unquoteTarName } from './file-names.js';
import type { SkippedPath } from '../source.js';
import { must } from '../../shared/must.js';

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
// A name as tar quotes it with --quoting-style=escape: no raw `:`, newline or byte above 0x7e (all escaped).
const NAME = String.raw`((?:[^\\:]|\\.)+)`;
const SKIPPED = new RegExp(
  String.raw`${PREFIX}${NAME}: (Cannot open|Cannot stat|Cannot readlink|Cannot savedir|Read error at byte \d+, while reading \d+ bytes): (.+)$`,
);
const REMOVED = new RegExp(String.raw`${PREFIX}${NAME}: File removed before we read it$`);
// The stored copy is the old length padded with zeros (or, for a sparse file, cut): data that never existed together.
const SHRANK = new RegExp(String.raw`${PREFIX}${NAME}: File shrank by \d+ bytes?(?:; padding with zeros)?$`);
// Metadata tar could not read (call_arg_warn: `NAME: Warning: Cannot acl_get_file_at: ...`): the file is stored without it.
const NO_METADATA = new RegExp(String.raw`${PREFIX}${NAME}: Warning: Cannot (\w+): (.+)$`);
const WARNING = new RegExp(String.raw`${PREFIX}${NAME}: (file changed as we read it|socket ignored|door ignored)$`);
const TOTALS = /^Total bytes written: (\d+) /;
/** tar's record: the default blocking factor 20 x 512-byte blocks; checkpoints count records written. */
export const TAR_RECORD_SIZE = 20 * 512;
/** Records between two progress checkpoints (about 1 MiB of archive). */
export const CHECKPOINT_RECORDS = 100;
/** Arguments that make tar report progress on stderr (a message about a file always ends in `: reason`, never in the number). */
export const CHECKPOINT_ARGS = [
  `--checkpoint=${CHECKPOINT_RECORDS}`,
  '--checkpoint-action=echo=@backup-agent-checkpoint %u',
];
const CHECKPOINT = new RegExp(String.raw`${PREFIX}@backup-agent-checkpoint (\d+)$`);
const EXITING = new RegExp(String.raw`${PREFIX}Exiting with failure status due to previous errors$`);

/** The reason recorded for a file that shrank while tar read it (the artifact is partial). */
export const INCONSISTENT = 'changed while read: stored copy is not consistent';

/**
 * Parses one line of tar's stderr (`--quoting-style=escape`, LC_ALL=C). Paths in entries are absolute
 * decoded names (file-names.ts), byte for byte the file's.
 */
export function classifyTarMessage(line: string): TarMessage {
  if (line.trim() === '' || EXITING.test(line)) return { kind: 'ignore' };
  const totals = TOTALS.exec(line);
  if (totals) return { kind: 'totals', bytes: Number(totals[1]) };
  const checkpoint = CHECKPOINT.exec(line);
  if (checkpoint) return { kind: 'checkpoint', bytes: Number(checkpoint[1]) * TAR_RECORD_SIZE };
  let match = SKIPPED.exec(line);
  if (match)
    return {
      kind: 'skipped',
      entry: { path: absolute(group(match, 1)), reason: `${group(match, 2)}: ${group(match, 3).toLowerCase()}` },
    };
  match = REMOVED.exec(line);
  if (match)
    return { kind: 'skipped', entry: { path: absolute(group(match, 1)), reason: 'removed before it was read' } };
  match = SHRANK.exec(line);
  if (match) return { kind: 'skipped', entry: { path: absolute(group(match, 1)), reason: INCONSISTENT } };
  match = NO_METADATA.exec(line);
  if (match) {
    const call = group(match, 2);
    return {
      kind: 'skipped',
      entry: {
        path: absolute(group(match, 1)),
        reason: `stored without its ${metadataOf(call)}: ${call}: ${group(match, 3).toLowerCase()}`,
      },
    };
  }
  match = WARNING.exec(line);
  if (match) return { kind: 'warning', entry: { path: absolute(group(match, 1)), reason: group(match, 2) } };
  return { kind: 'unknown', line };
}

/** Capture group `n` of a match: no group of these patterns is optional, so each takes part in every match. */
const group = (match: RegExpExecArray, n: number): string => must(match[n], `capture group ${n} of a tar message`);

/** The decoded absolute path of a name tar printed relative to `/`. */
const absolute = (quoted: string) => decodeFileName(Buffer.concat([Buffer.from('/'), unquoteTarName(quoted)]));

/** What a failed call of tar's was reading: `acl_get_file_at` ACLs, `llistxattr`/`lgetxattr` extended attributes. */
const metadataOf = (call: string) =>
  /acl/i.test(call) ? 'ACLs' : /xattr/i.test(call) ? 'extended attributes' : 'metadata';
