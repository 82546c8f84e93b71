// The config of a files asset (an entry of `assets` with type: files), each key with its description and
// an example: the files source's fragment of the config schema.
import { z } from 'zod';
import { doc, duration, keySegment } from '../../config/schema-values.js';

export const filesAssetSchema = z.strictObject({
  name: keySegment().meta(doc('asset name: a segment of every key (A-Za-z0-9 . _ -), unique in the config', 'www')),
  type: z.literal('files').meta(doc('files: a tar stream of paths', 'files')),
  paths: z
    .array(z.string().min(1))
    .min(1)
    .meta(doc('files or directories; relative paths are relative to the config file', ['/var/www', '/etc/nginx'])),
  exclude: z
    .array(z.string().min(1))
    .default([])
    .meta(
      doc(
        'globs: one starting with / matches the absolute path, any other the base names; a byte of a name that is not UTF-8 is written \\xHH, as reports show it',
        ['**/*.log', '**/node_modules/**', '/var/www/cache'],
      ),
    ),
  metadata: z
    .strictObject({
      xattrs: z
        .boolean()
        .default(true)
        .meta(
          doc(
            'extended attributes of every namespace this user can read: user.*, security.* (file capabilities, SELinux labels), trusted.* as root',
            true,
          ),
        ),
      acls: z.boolean().default(true).meta(doc('POSIX ACLs, access and default', true)),
    })
    .default({ xattrs: true, acls: true })
    .meta(
      doc(
        'file metadata stored besides modes, owners and times; turn off for a filesystem that lacks it or fails to report it',
      ),
    ),
  incremental: z
    .strictObject({
      full_every: duration(3_600_000, 366 * 86_400_000).meta(
        doc(
          'a full when the last full is this old (or its local state is missing); differentials against it in between, made only while the tier of the full keeps it at least as long as the tier of the differential (docs/incremental.md)',
          '7d',
        ),
      ),
    })
    .optional()
    .meta(
      doc(
        "differential archives (GNU tar --listed-incremental: files changed, added, deleted or renamed since the last full); the full's snapshot file is kept in state_dir/files/ASSET; without it every run is a full",
        { full_every: '7d' },
      ),
    ),
});

/** A files asset as the config loader returns it (defaults applied). */
export type FilesAssetConfig = z.output<typeof filesAssetSchema>;
