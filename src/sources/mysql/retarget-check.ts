// The first of a database restore's two reads: the whole dump is checked (sha256, footer, and every
// statement's retargeting) before the server sees a byte, because the statements that may not be
// retargetable (triggers, routines, events, views) come after the table data in a dump.
import { BackupError } from '../../shared/backup-error.js';
import { dumpFooterWatch, incompleteDump } from './dump-footer.js';
import { createRetargetStage, type RetargetOptions } from './mysql-retarget.js';
import { Writable } from 'node:stream';
import type { ArtifactReader, RestoreEntry } from '../source.js';

/**
 * Reads the artifact once without writing anywhere. Resolves when it is intact (size and sha256 as the
 * manifest says, complete with its footer) and every statement can be restored into `options.to` alone.
 * Rejects with the read's error, RESTORE_FAILED (no footer), or RETARGET_REFUSED naming each object that
 * would still reach another database (exit 1: the backup cannot be restored as asked; nothing was written).
 */
export async function checkDumpRetargets(
  entry: RestoreEntry,
  read: ArtifactReader,
  options: RetargetOptions,
): Promise<void> {
  const where = read.locate(entry.key);
  const watch = dumpFooterWatch();
  const stage = createRetargetStage({ ...options, collect: true });
  await read.stream(entry, watch, stage, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
  if (!watch.complete()) throw incompleteDump(where, entry.asset);
  const problems = [...new Set(stage.problems)];
  if (problems.length === 0) return;
  throw new BackupError(
    'RETARGET_REFUSED',
    `${where}: refusing to restore database ${options.from} as ${options.to}: ${problems.length} ${problems.length === 1 ? 'statement' : 'statements'} would still reach another database; nothing was written`,
    {
      asset: entry.asset,
      details: [
        ...problems,
        `restore it under its own name (--into-database ${options.from}) on a scratch server, or write it out with --to FILE.sql and edit those statements`,
      ],
    },
  );
}
