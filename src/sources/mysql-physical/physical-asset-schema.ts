// The config of a physical MySQL/MariaDB asset (an entry of `assets` with type: mysql-physical), each
// key with its description and an example: the mysql-physical source's fragment of the config schema.
import { z } from 'zod';
import { connectionFields, connectionRules } from '../mysql/connection-schema.js';
import { doc, duration, keySegment } from '../../config/schema-values.js';

const text = () => z.string().min(1);

export const physicalAssetSchema = z.strictObject({
  name: keySegment().meta(
    doc('asset name: a segment of every key (A-Za-z0-9 . _ -), unique in the config', 'shop-physical'),
  ),
  type: z
    .literal('mysql-physical')
    .meta(
      doc(
        'mysql-physical: a physical copy of the whole server (mariabackup, or xtrabackup for MySQL) as one xbstream artifact; the agent must run on the database host with read access to the datadir',
        'mysql-physical',
      ),
    ),
  ...connectionFields('user; needs RELOAD, PROCESS, BINLOG MONITOR on MariaDB (see `docs/physical.md`)', 'backup'),
  backup_binary: text()
    .default('auto')
    .meta(doc('auto: mariabackup, then xtrabackup on PATH; or a path', '/usr/bin/mariabackup')),
  incremental: z
    .strictObject({
      full_every: duration(3_600_000, 366 * 86_400_000).meta(
        doc(
          'a full when the last full is this old (or missing); differentials against it in between; keep it shorter than the retention of the tier fulls land in',
          '7d',
        ),
      ),
    })
    .optional()
    .meta(
      doc(
        'differential backups (changed pages only) against the last full; the LSNs they start from are kept in state_dir; without it every run is a full',
        { full_every: '7d' },
      ),
    ),
});

/** A mysql-physical asset as the config loader returns it (defaults applied). */
export type PhysicalAssetConfig = z.output<typeof physicalAssetSchema>;

/** Rules across keys of one raw (unparsed) asset: problems as [key, message]. */
export const physicalAssetRules = connectionRules;
