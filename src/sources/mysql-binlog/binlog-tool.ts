// Finds the stock binlog client (`mariadb-binlog`, else `mysqlbinlog`) that reads the server's binary log.
import { BackupError } from '../../shared/backup-error.js';
import { findOnPath } from '../../shared/find-on-path.js';
import type { ChildCommand } from '../../shared/child-process.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';

/**
 * `tool args`, under `setpriv --pdeathsig KILL` when util-linux has it: the client dies with the agent,
 * even a SIGKILLed one, so a restarted agent never races an orphan for the same replication connection.
 */
export async function withParentDeath(tool: string, args: string[]): Promise<ChildCommand> {
  const setpriv = await findOnPath('setpriv');
  return setpriv ? { file: setpriv, args: ['--pdeathsig', 'KILL', '--', tool, ...args] } : { file: tool, args };
}

/** The absolute path of the binlog client; throws SOURCE_MISSING_TOOL naming the package. */
export async function findBinlogTool(asset: Pick<BinlogAssetConfig, 'name' | 'binlog_binary'>): Promise<string> {
  const names = asset.binlog_binary === 'auto' ? ['mariadb-binlog', 'mysqlbinlog'] : [asset.binlog_binary];
  for (const name of names) {
    const found = await findOnPath(name);
    if (found) return found;
  }
  throw new BackupError(
    'SOURCE_MISSING_TOOL',
    `mysql-binlog "${asset.name}": ${asset.binlog_binary === 'auto' ? 'no mariadb-binlog or mysqlbinlog on PATH' : `binlog_binary ${asset.binlog_binary} not found`} (install mariadb-client)`,
    { asset: asset.name },
  );
}
