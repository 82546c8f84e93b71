// How an asset reaches a MySQL/MariaDB server, the same keys for every source that connects (mysql,
// mysql-physical, mysql-binlog): an options file, host/port/socket, user and password (inline or from a
// file), each with its description and example. Only the user's grants differ per source.
import { z } from 'zod';
import { doc } from '../../config/schema-values.js';

const text = () => z.string().min(1);

/** The connection keys of a source's asset schema; `userDoc` says which grants the user needs. */
export function connectionFields(userDoc: string, userExample: string) {
  return {
    defaults_file: text()
      .optional()
      .meta(doc('a .my.cnf (mode 0600) with [client] user/password/host', '/etc/backup-agent/my.cnf')),
    host: text()
      .optional()
      .meta(doc('server host name or address; without it the tool connects through the local socket', '127.0.0.1')),
    port: z.number().int().min(1).max(65535).optional().meta(doc('server TCP port', 3306)),
    socket: text().optional().meta(doc('server Unix socket', '/run/mysqld/mysqld.sock')),
    user: text().optional().meta(doc(userDoc, userExample)),
    password: z
      .string()
      .optional()
      .meta(doc('prefer password_file or defaults_file; ${ENV} works; not with password_file', '${DB_PASSWORD}')),
    password_file: text()
      .optional()
      .meta(
        doc('file (mode 0600) whose first line is the password; not with password', '/etc/backup-agent/mysql-password'),
      ),
  };
}

/** The rule across the connection keys of one raw (unparsed) asset: problems as [key, message]. */
export function connectionRules(asset: Record<string, unknown>): [string, string][] {
  return asset.password !== undefined && asset.password_file !== undefined
    ? [['password_file', 'set password or password_file, not both']]
    : [];
}
