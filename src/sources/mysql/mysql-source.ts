// The mysql source: one logical dump (mariadb-dump/mysqldump) per database. Every verb of a mysql
// asset, named as the Source contract names it; each verb's code loads when it is used, so that the
// registry (read by the config loader and `--help`) stays light.
import { mysqlAssetRules, mysqlAssetSchema, type MysqlAssetConfig } from './mysql-asset-schema.js';
import type { Source } from '../source.js';
import { MYSQL_RESTORE_FLAGS } from './restore-flags.js';

/** The `type: mysql` source. */
export const mysqlSource = {
  type: 'mysql',
  schema: mysqlAssetSchema,
  rules: mysqlAssetRules,
  plan: async (asset, signal) => (await import('./plan-mysql.js')).planMysql(asset, signal),
  concurrency: (asset) => asset.concurrency,
  grants: async (asset, options) => (await import('./mysql-grants.js')).mysqlGrants(asset, options),
  checkAsset: async (asset, signal) => (await import('./check-mysql.js')).checkMysqlAsset(asset, signal),
  secretFiles: (asset) => [
    ...(asset.password_file ? [{ label: `mysql "${asset.name}" password_file`, path: asset.password_file }] : []),
    ...(asset.defaults_file ? [{ label: `mysql "${asset.name}" defaults_file`, path: asset.defaults_file }] : []),
  ],
  resolvePaths: (asset, abs) => ({
    ...asset,
    ...(asset.defaults_file ? { defaults_file: abs(asset.defaults_file) } : {}),
    ...(asset.password_file ? { password_file: abs(asset.password_file) } : {}),
    ...(asset.dump_binary.includes('/') ? { dump_binary: abs(asset.dump_binary) } : {}),
  }),
  sweep: async () => (await import('./mysql-options-file.js')).sweepStaleOptionsDirs(),
  restoreFlags: MYSQL_RESTORE_FLAGS,
  restore: async (request) => (await import('./restore-command.js')).restoreMysqlCommand(request),
  restoreUntil: async (request) => (await import('./restore-until.js')).restoreMysqlUntil(request),
  drill: async (request) => (await import('./drill-mysql.js')).drillMysql(request),
  async plaintextCheck() {
    const { dumpFooterWatch, incompleteDump } = await import('./dump-footer.js');
    const watch = dumpFooterWatch();
    return {
      stage: watch,
      problem: (where, asset) => (watch.complete() ? undefined : incompleteDump(where, asset).message),
      passed: 'dump footer present',
    };
  },
} satisfies Source<MysqlAssetConfig>;
