// The source registry: every kind of asset the agent knows. A new source is one folder and one line here.
import type { AssetConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { filesSource } from './files/files-source.js';
import { mysqlSource } from './mysql/mysql-source.js';
import type { Source } from './source.js';

/** Every source, in the order `check` and help list them. */
export const sources: readonly Source[] = [filesSource, mysqlSource];

/** The source of asset type `type` (from a config or a manifest), or undefined for a type this version does not know. */
export function sourceOf(type: string): Source | undefined {
  return sources.find((source) => source.type === type);
}

/** The source of a configured asset (the schema admits only known types). */
export function sourceFor(asset: AssetConfig): Source {
  const source = sourceOf(asset.type);
  if (source === undefined) throw new BackupError('CONFIG_INVALID', `asset "${asset.name}": unknown type ${asset.type}`);
  return source;
}
