// `backup-agent restore`: its argument, flags and help (common flags, then each source's); the restore
// is loaded from restore-action.ts when it runs.
import type { CommandDefinition } from '../command-definition.js';
import { READ_FLAGS } from '../operator-flags.js';
import type { RestoreCommandOptions } from '../restore-action.js';
import { sources } from '../../sources/registry.js';

export const restoreCommand: CommandDefinition<RestoreCommandOptions> = {
  name: 'restore',
  description:
    'restore a backup (KEY from `list`, or --asset NAME --latest, or --asset NAME --until TIME), checked against its manifest',
  arguments: [{ name: '[key]', description: 'object key of the backup, as `list` prints it' }],
  flags: [
    { flags: '-a, --asset <name>', description: 'with --latest or --until: the asset to restore' },
    { flags: '--latest', description: 'the newest stored run of --asset' },
    { flags: '--host <name>', description: "whose backups (default: this config's host)" },
    { flags: '--database <name>', description: 'mysql: only this database of the run' },
    { flags: '--to <path>', description: 'files: target directory; mysql: FILE.sql, or a directory for DB.sql files' },
    {
      flags: '--into-database <name>',
      description: 'mysql: load the dump into this database (created; must not exist without --force)',
    },
    {
      flags: '--until <time>',
      description:
        "mysql: the newest dump finished by TIME, then its binary log replayed up to TIME ('YYYY-MM-DD HH:MM:SS' local time, or ISO-8601 with Z/+HH:MM; see docs/pitr.md)",
    },
    {
      flags: '--dry-run',
      description: 'with --until: print the plan (dump, segments, reachable window); write nothing',
    },
    { flags: '--force', description: 'restore into a non-empty directory / an existing database or file' },
    // Each source's own restore flags (mysql's --strip-definers and --db-*), from the registry.
    ...sources.flatMap((source) => source.restoreFlags),
    ...READ_FLAGS,
  ],
  async action(global, options, [key]) {
    if (options.until !== undefined) {
      const { restoreUntilAction } = await import('../restore-until-action.js');
      return restoreUntilAction(global, key, { ...options, until: options.until });
    }
    const { restoreAction } = await import('../restore-action.js');
    return restoreAction(global, key, options);
  },
};
