// The config of a MySQL/MariaDB asset (an entry of `assets` with type: mysql), each key with its
// description and an example: the mysql source's fragment of the config schema, and its cross-field rule.
import { z } from 'zod';
import { connectionFields, connectionRules } from './connection-schema.js';
import { doc, duration, keySegment } from '../../config/schema-values.js';

/** Dump options that leave the footer out of stdout: no comments, output to a file, or not SQL. */
const FOOTERLESS_DUMP_OPTION =
  /^(compact|skip-comments|disable-comments|comments=(0|off|false)|result-file(=.*)?|tab(=.*)?|xml)$/i;

/**
 * Whether `option` is one of those, spelled as the client option parser accepts it (`--loose-`
 * prefix, `_` for `-`). Best effort: abbreviations are not resolved; the footer check at run time
 * still fails such a backup.
 */
function dropsFooter(option: string): boolean {
  const [name = '', ...value] = option
    .slice(2)
    .replace(/^loose-/i, '')
    .split('=');
  return FOOTERLESS_DUMP_OPTION.test([name.replaceAll('_', '-'), ...value].join('='));
}

const text = () => z.string().min(1);

export const mysqlAssetSchema = z.strictObject({
  name: keySegment().meta(doc('asset name: a segment of every key (A-Za-z0-9 . _ -), unique in the config', 'shop-db')),
  type: z
    .literal('mysql')
    .meta(doc('mysql: logical dumps of MySQL/MariaDB databases, one artifact per database', 'mysql')),
  databases: z
    .union([z.literal('all'), z.array(text()).min(1)])
    .meta(
      doc(
        'database names, or "all" (every database but information_schema, performance_schema, sys; mysql with include_system)',
        ['shop', 'billing'],
      ),
    ),
  include_system: z
    .boolean()
    .default(false)
    .meta(doc('with databases: all, also dump the mysql system database', true)),
  ...connectionFields(
    'user; needs SELECT, SHOW VIEW, TRIGGER, EVENT (and SELECT on mysql.proc when granted per database): `backup-agent policy --mysql` prints them',
    'backup',
  ),
  dump_binary: text()
    .default('auto')
    .meta(doc('auto: mariadb-dump, then mysqldump on PATH; or a path', '/usr/bin/mariadb-dump')),
  extra_options: z
    .array(
      z
        .string()
        .startsWith('--', 'must be a --long-option')
        .refine((option) => !dropsFooter(option), {
          error:
            'removes or redirects the "-- Dump completed" footer that proves a dump is whole (every backup would fail); leave it out',
        }),
    )
    .default([])
    .meta(
      doc(
        'appended to the dump command; options that drop the "-- Dump completed" footer (--compact, --skip-comments, --result-file, --tab, --xml) are refused',
        ['--skip-lock-tables'],
      ),
    ),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(1)
    .meta(doc('databases dumped at once (each upload holds its own (queue_size + 1) x part_size of memory)', 2)),
  lock_wait_timeout: duration(1_000, 86_400_000)
    .default(300_000)
    .meta(
      doc(
        'how long the dump may wait for a table lock another session holds (LOCK TABLES ... WRITE, ALTER TABLE) before the database fails; the server default is a day or a year',
        '5m',
      ),
    ),
});

/** A mysql asset as the config loader returns it (defaults applied). */
export type MysqlAssetConfig = z.output<typeof mysqlAssetSchema>;

/** Rules across keys of one raw (unparsed) mysql asset: problems as [key, message]. */
export const mysqlAssetRules = connectionRules;
