// `status` of a binlog stream: it has no runs, so its health is how long ago the streamer was last caught
// up (connected, everything the server sent stored), as it recorded in its state file after each round.
import { formatAge } from '../../shared/format-age.js';
import type { StreamStatus } from '../source.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';
import { positionPath, readPosition } from './binlog-state.js';

/** Behind by more than this (or 3 upload intervals, if longer) is unhealthy: the example alert's bound. */
const BEHIND_MS = 5 * 60_000;

/** The stream's health from state_dir/mysql-binlog/<asset>/position.json; a damaged file is unhealthy, named. */
export async function binlogStreamStatus(asset: BinlogAssetConfig, stateDir: string, now: Date): Promise<StreamStatus> {
  const path = positionPath(stateDir, asset.name);
  let position;
  try {
    position = await readPosition(path);
  } catch (error) {
    return { healthy: false, detail: (error as Error).message };
  }
  if (position?.caught_up_at === undefined)
    return {
      healthy: false,
      detail: position
        ? `stream never caught up (at ${position.file} byte ${position.offset}); is \`backup-agent binlog\` running?`
        : `stream never shipped (no ${path}); is \`backup-agent binlog\` running?`,
    };
  const behind = Math.max(0, now.getTime() - Date.parse(position.caught_up_at));
  const healthy = behind <= Math.max(BEHIND_MS, 3 * asset.upload_interval);
  return {
    caught_up_at: position.caught_up_at,
    behind_seconds: Math.round(behind / 1000),
    healthy,
    detail: `stream caught up ${formatAge(behind / 1000)} ago at ${position.file} byte ${position.offset}${healthy ? '' : '; is `backup-agent binlog` running and the server reachable?'}`,
  };
}
