// The flags `restore` takes for mysql backups: apart from the restore code, which loads only when restoring.
import type { RestoreFlag } from '../source.js';

/** The flags `restore` takes for mysql backups. */
export const MYSQL_RESTORE_FLAGS: RestoreFlag[] = [
  {
    flags: '--strip-definers',
    description: 'mysql: drop DEFINER clauses, so a user without SUPER can restore views, triggers, routines',
  },
  { flags: '--db-host <host>', description: "mysql server (default: the asset's connection settings)" },
  { flags: '--db-port <port>', description: 'mysql port' },
  { flags: '--db-socket <path>', description: 'mysql socket' },
  { flags: '--db-user <name>', description: 'mysql user' },
  { flags: '--db-defaults-file <file>', description: 'a .my.cnf with [client] user/password for the restore' },
  {
    flags: '--binlog-asset <name>',
    description:
      "mysql with --until: the mysql-binlog asset whose segments are replayed (default: the config's only one)",
  },
];
