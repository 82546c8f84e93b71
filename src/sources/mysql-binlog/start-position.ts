// Where a connection starts: the shipped position from state_dir when it still belongs to this server's
// binary log, else a new series from `start_file` or the server's oldest file. Starting a new series
// when the old one cannot continue (another server_id, a purged file) is logged, never silent.
import { BackupError } from '../../shared/backup-error.js';
import type { Logger } from '../../shared/logger.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';
import { seriesName } from './binlog-series.js';
import type { BinlogServerFacts } from './binlog-server.js';
import { readPosition, writePosition, type ShippedPosition } from './binlog-state.js';

/** The position to follow from (written to `statePath` when a new series begins). Throws SOURCE_FAILED without a binary log. */
export async function startPosition(
  asset: BinlogAssetConfig,
  facts: BinlogServerFacts,
  statePath: string,
  logger: Logger,
): Promise<ShippedPosition> {
  const name = `mysql-binlog "${asset.name}"`;
  if (!facts.logBin)
    throw new BackupError('SOURCE_FAILED', `${name}: the server has no binary log (start it with --log-bin)`, {
      asset: asset.name,
    });
  if (facts.format !== 'ROW')
    logger.warn(
      `${name}: binlog_format is ${facts.format}: replaying STATEMENT/MIXED events may not reproduce the data; use ROW`,
      {
        asset: asset.name,
      },
    );
  const shipped = await readPosition(statePath);
  const sameServer = shipped?.server_id === facts.serverId;
  if (shipped && sameServer && facts.files.includes(shipped.file)) return shipped;
  if (shipped && !sameServer)
    logger.warn(`${name}: the server's server_id is ${facts.serverId}, not ${shipped.server_id}: a new series begins`, {
      asset: asset.name,
    });
  else if (shipped !== undefined)
    logger.error(
      `${name}: ${shipped.file} is no longer on the server (purged before it was shipped past byte ${shipped.offset}): series ${shipped.series} ends with a gap; a new series begins`,
      { asset: asset.name },
    );
  const file = asset.start_file ?? facts.files[0];
  if (file === undefined)
    throw new BackupError('SOURCE_FAILED', `${name}: the server lists no binary log files`, { asset: asset.name });
  const position: ShippedPosition = {
    series: seriesName(facts.serverId, new Date()),
    server_id: facts.serverId,
    file,
    offset: 0,
    segment: 1,
  };
  await writePosition(statePath, position);
  logger.info(`${name}: series ${position.series} begins at ${file}`, { asset: asset.name });
  return position;
}
