// Decides whether a dump can record its binlog position: only MariaDB's dump against a MariaDB server
// with binary logging on. There `--master-data=2` with --single-transaction reads the consistent
// snapshot's position (binlog_snapshot_file/position, BINLOG_GTID_POS) and needs no extra privilege and
// no global lock. MySQL's mysqldump would take FLUSH TABLES WITH READ LOCK and need RELOAD, and a server
// without log_bin makes the option fail the dump: in both cases nothing is recorded and nothing fails.
import { runChild } from '../../shared/child-process.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import type { MysqlTools } from './mysql-client.js';

/** The option that makes MariaDB's dump write its position as comments. */
export const MASTER_DATA_OPTION = '--master-data=2';

/** Options an operator may have put in extra_options that already write a position. */
const POSITION_OPTION = /^--(loose-)?(master[-_]data|dump[-_]slave)(=|$)/;

/** Whether the dump should get {@link MASTER_DATA_OPTION}, and a note for --dry-run when it does not. */
export interface BinlogRecording {
  record: boolean;
  note?: string;
}

/** Asks the server (`@@log_bin`, VERSION()) and the dump binary (--version). Never throws: an unanswered probe records nothing. */
export async function binlogRecording(
  asset: MysqlAssetConfig,
  tools: MysqlTools,
  optionsFile: string | undefined,
  signal: AbortSignal,
): Promise<BinlogRecording> {
  if (asset.extra_options.some((option) => POSITION_OPTION.test(option))) return { record: false };
  const run = (file: string, args: string[]) =>
    runChild(file, args, { env: 'client', signal, stdin: 'ignore', timeout: 30_000 }).catch(() => undefined);
  const [server, dump] = await Promise.all([
    run(tools.client, [
      ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []),
      '--batch',
      '--skip-column-names',
      '--execute=SELECT @@log_bin, VERSION()',
    ]),
    run(tools.dump, ['--version']),
  ]);
  const [logBin = '', version = ''] = String(server?.stdout ?? '')
    .trim()
    .split('\t');
  if (server?.exitCode !== 0)
    return { record: false, note: 'binlog position not recorded: the server did not say whether log_bin is on' };
  if (logBin !== '1')
    return { record: false, note: 'binlog position not recorded: the server has no binary log (log_bin off)' };
  if (!/mariadb/i.test(version) || !/mariadb/i.test(String(dump?.stdout ?? ''))) {
    return {
      record: false,
      note: "binlog position not recorded: needs MariaDB's dump and server (MySQL's mysqldump would take a global read lock)",
    };
  }
  return { record: true };
}
