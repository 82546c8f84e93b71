// The source registry: maps an asset's `type` to its Source implementation.
import type { AssetConfig } from '../config/schema.js';
import { createFilesSource } from './files/files-source.js';
import { createMysqlSource } from './mysql/mysql-source.js';
import type { Source } from './source.js';

/** Returns the Source for a configured asset. */
export function createSource(asset: AssetConfig): Source {
  return asset.type === 'files' ? createFilesSource(asset) : createMysqlSource(asset);
}
