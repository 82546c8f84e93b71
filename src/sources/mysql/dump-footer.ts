// The "-- Dump completed" footer: the only proof that a dump's output is whole, checked on backup, restore and verify.
import { PassThrough } from 'node:stream';
import { BackupError } from '../../shared/backup-error.js';

/** The last line of a complete mariadb-dump/mysqldump output. */
export const DUMP_FOOTER = /-- Dump completed( on [^\n]*)?\s*$/;

/** A pass-through that counts bytes and remembers the last 512, to tell whether the dump ended with its footer. */
export interface DumpFooterWatch extends PassThrough {
  /** Bytes that passed. */
  readonly bytes: number;
  /** Whether what passed so far ends with the footer. */
  complete(): boolean;
}

/** Creates a {@link DumpFooterWatch}. */
export function dumpFooterWatch(): DumpFooterWatch {
  let last = '';
  let bytes = 0;
  const watch = new PassThrough({ highWaterMark: 1024 * 1024 });
  watch.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    last = (last + chunk.subarray(-512).toString('latin1')).slice(-512);
  });
  // defineProperty, not Object.assign: assign would copy the getter's value (0) once.
  return Object.defineProperties(watch, {
    bytes: { get: () => bytes },
    complete: { value: () => DUMP_FOOTER.test(last) },
  }) as DumpFooterWatch;
}

/** The restore's error for a dump at `where` that lacks its footer (cut short when it was taken or stored). */
export function incompleteDump(where: string, asset: string): BackupError {
  return new BackupError(
    'RESTORE_FAILED',
    `${where}: the dump does not end with the "-- Dump completed" footer: it is incomplete`,
    { asset },
  );
}
