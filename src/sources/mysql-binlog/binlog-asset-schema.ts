// The config of a binlog stream (an entry of `assets` with type: mysql-binlog), each key with its
// description and an example: the mysql-binlog source's fragment of the config schema.
import { z } from 'zod';
import { doc, duration, keySegment } from '../../config/schema-values.js';

const text = () => z.string().min(1);

export const binlogAssetSchema = z.strictObject({
  name: keySegment().meta(
    doc('asset name: a segment of every key (A-Za-z0-9 . _ -), unique in the config', 'shop-binlog'),
  ),
  type: z
    .literal('mysql-binlog')
    .meta(
      doc(
        "mysql-binlog: the server's binary log, shipped as write-once segments by the long-running `backup-agent binlog` (not by `run`); MariaDB with log_bin on",
        'mysql-binlog',
      ),
    ),
  defaults_file: text()
    .optional()
    .meta(doc('a .my.cnf (mode 0600) with [client] user/password/host', '/etc/backup-agent/my.cnf')),
  host: text()
    .optional()
    .meta(doc('server host name or address; without it the client connects through the local socket', '127.0.0.1')),
  port: z.number().int().min(1).max(65535).optional().meta(doc('server TCP port', 3306)),
  socket: text().optional().meta(doc('server Unix socket', '/run/mysqld/mysqld.sock')),
  user: text().optional().meta(doc('user; needs REPLICATION SLAVE and BINLOG MONITOR (see `docs/pitr.md`)', 'binlog')),
  password: z
    .string()
    .optional()
    .meta(doc('prefer password_file or defaults_file; ${ENV} works; not with password_file', '${DB_PASSWORD}')),
  password_file: text()
    .optional()
    .meta(
      doc('file (mode 0600) whose first line is the password; not with password', '/etc/backup-agent/mysql-password'),
    ),
  upload_interval: duration(1_000, 3_600_000)
    .default(30_000)
    .meta(
      doc(
        'how often the new bytes of the growing binlog file are shipped as a segment (and always at rotation): at most this much committed work is lost with the host',
        '30s',
      ),
    ),
  reconnect_max: duration(1_000, 3_600_000)
    .default(60_000)
    .meta(
      doc('longest wait between reconnects when the server or the network is gone (backoff from 1s, doubling)', '1m'),
    ),
  binlog_binary: text()
    .default('auto')
    .meta(doc('auto: mariadb-binlog, then mysqlbinlog on PATH; or a path', '/usr/bin/mariadb-binlog')),
  start_file: text()
    .optional()
    .meta(
      doc(
        "the binlog file a new series starts from; default: the server's oldest (SHOW BINARY LOGS). Used only when state_dir holds no position",
        'binlog.000001',
      ),
    ),
});

/** A mysql-binlog asset as the config loader returns it (defaults applied). */
export type BinlogAssetConfig = z.output<typeof binlogAssetSchema>;

/** Rules across keys of one raw (unparsed) asset: problems as [key, message]. */
export function binlogAssetRules(asset: Record<string, unknown>): [string, string][] {
  return asset.password !== undefined && asset.password_file !== undefined
    ? [['password_file', 'set password or password_file, not both']]
    : [];
}
