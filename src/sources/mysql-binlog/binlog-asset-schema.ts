// The config of a binlog stream (an entry of `assets` with type: mysql-binlog), each key with its
// description and an example: the mysql-binlog source's fragment of the config schema.
import { z } from 'zod';
import { connectionFields, connectionRules } from '../mysql/connection-schema.js';
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
  ...connectionFields('user; needs REPLICATION SLAVE and BINLOG MONITOR (see `docs/pitr.md`)', 'binlog'),
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
export const binlogAssetRules = connectionRules;
