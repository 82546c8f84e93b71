// The mysql-physical source: a physical backup of a whole MySQL/MariaDB server (mariabackup, or
// xtrabackup for MySQL), full or differential. Every verb of such an asset, named as the Source
// contract names it; each verb's code loads when it is used, so the registry stays light.
import type { Source } from '../source.js';
import { physicalAssetRules, physicalAssetSchema, type PhysicalAssetConfig } from './physical-asset-schema.js';

/** The `type: mysql-physical` source. */
export const mysqlPhysicalSource = {
  type: 'mysql-physical',
  schema: physicalAssetSchema,
  rules: physicalAssetRules,
  plan: async (asset, signal, context) => (await import('./plan-physical.js')).planPhysical(asset, signal, context),
  concurrency: () => 1,
  grants: async (asset, options) => (await import('./physical-privileges.js')).physicalGrants(asset, options),
  checkAsset: async (asset, signal) => (await import('./check-physical.js')).checkPhysicalAsset(asset, signal),
  secretFiles: (asset) => [
    ...(asset.password_file
      ? [{ label: `mysql-physical "${asset.name}" password_file`, path: asset.password_file }]
      : []),
    ...(asset.defaults_file
      ? [{ label: `mysql-physical "${asset.name}" defaults_file`, path: asset.defaults_file }]
      : []),
  ],
  resolvePaths: (asset, abs) => ({
    ...asset,
    ...(asset.defaults_file ? { defaults_file: abs(asset.defaults_file) } : {}),
    ...(asset.password_file ? { password_file: abs(asset.password_file) } : {}),
    ...(asset.backup_binary.includes('/') ? { backup_binary: abs(asset.backup_binary) } : {}),
  }),
  sweep: async () => (await import('../mysql/mysql-options-file.js')).sweepStaleOptionsDirs(),
  restoreFlags: [
    {
      flags: '--start',
      description:
        'mysql-physical: after preparing --to DIR, start a throwaway server on it (no network), print CHECKSUM TABLE of every table, stop it',
    },
  ],
  restore: async (request) => (await import('./restore-physical.js')).restorePhysicalCommand(request),
} satisfies Source<PhysicalAssetConfig>;
