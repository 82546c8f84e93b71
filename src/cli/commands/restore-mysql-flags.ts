// The restore flags only mysql backups use, in one list that restore-command.ts composes: when sources
// become plug-ins, each source contributes its list and this file moves into the mysql source.
import type { FlagDefinition } from '../command-definition.js';

/** --into-database, --strip-definers and the --db-* connection flags of `restore`. */
export const RESTORE_MYSQL_FLAGS: readonly FlagDefinition[] = [
  { flags: '--into-database <name>', description: 'mysql: load the dump into this database (created; must not exist without --force)' },
  { flags: '--strip-definers', description: 'mysql: drop DEFINER clauses, so a user without SUPER can restore views, triggers, routines' },
  { flags: '--db-host <host>', description: 'mysql server (default: the asset\'s connection settings)' },
  { flags: '--db-port <port>', description: 'mysql port' },
  { flags: '--db-socket <path>', description: 'mysql socket' },
  { flags: '--db-user <name>', description: 'mysql user' },
  { flags: '--db-defaults-file <file>', description: 'a .my.cnf with [client] user/password for the restore' },
];
