// The mysql-binlog source: a MariaDB server's binary log, shipped continuously as write-once segments by
// `backup-agent binlog` (the `follow` verb), for point-in-time recovery on top of the mysql asset's
// dumps. `run` stores nothing for it. Each verb's code loads when it is used.
import { BackupError } from '../../shared/backup-error.js';
import type { Source } from '../source.js';
import { binlogAssetRules, binlogAssetSchema, type BinlogAssetConfig } from './binlog-asset-schema.js';

/** The `type: mysql-binlog` source. */
export const mysqlBinlogSource = {
  type: 'mysql-binlog',
  schema: binlogAssetSchema,
  rules: binlogAssetRules,
  plan: () =>
    Promise.resolve({
      items: [],
      notes: ['shipped continuously by `backup-agent binlog`, not by run'],
      skipped: [],
    }),
  concurrency: () => 1,
  grants: async (asset, options) => (await import('./binlog-grants.js')).binlogGrants(asset, options),
  checkAsset: async (asset, signal) => (await import('./check-binlog.js')).checkBinlogAsset(asset, signal),
  secretFiles: (asset) => [
    ...(asset.password_file
      ? [{ label: `mysql-binlog "${asset.name}" password_file`, path: asset.password_file }]
      : []),
    ...(asset.defaults_file
      ? [{ label: `mysql-binlog "${asset.name}" defaults_file`, path: asset.defaults_file }]
      : []),
  ],
  resolvePaths: (asset, abs) => ({
    ...asset,
    ...(asset.defaults_file ? { defaults_file: abs(asset.defaults_file) } : {}),
    ...(asset.password_file ? { password_file: abs(asset.password_file) } : {}),
    ...(asset.binlog_binary.includes('/') ? { binlog_binary: abs(asset.binlog_binary) } : {}),
  }),
  sweep: async () => (await import('../mysql/mysql-options-file.js')).sweepStaleOptionsDirs(),
  restoreFlags: [],
  restore: (request) =>
    Promise.reject(
      new BackupError(
        'USAGE',
        `mysql-binlog "${request.entries[0]?.asset ?? ''}": binlog segments are not run artifacts; see docs/pitr.md for replaying them`,
      ),
    ),
  verifyStreams: async (request) => (await import('./verify-series.js')).verifyBinlogSeries(request),
  follow: async (asset, context) => (await import('./follow-binlog.js')).followBinlog(asset, context),
  streamStatus: async (asset, stateDir, now) =>
    (await import('./stream-status.js')).binlogStreamStatus(asset, stateDir, now),
} satisfies Source<BinlogAssetConfig>;
