// The source registry: every kind of asset the agent knows. A new source is one folder and one line here.
import { BackupError } from '../shared/backup-error.js';
import { filesSource } from './files/files-source.js';
import { mysqlSource } from './mysql/mysql-source.js';
import { mysqlPhysicalSource } from './mysql-physical/mysql-physical-source.js';
import { mysqlBinlogSource } from './mysql-binlog/mysql-binlog-source.js';
import type { Source } from './source.js';

/** Every source, in the order `check`, help and the config reference list them: one line per source. */
const registered = [filesSource, mysqlSource, mysqlPhysicalSource, mysqlBinlogSource] as const;

/** Every source. */
export const sources: readonly Source[] = registered;

/** Each source's fragment of the config schema, typed, for the `assets` union. */
export const assetSchemas = registered.map((source) => source.schema) as unknown as SchemasOf<typeof registered>;

/** The tuple of the `schema` members of a tuple of sources. */
type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never;
};

/** The source of asset type `type` (from a config or a manifest), or undefined for a type this version does not know. */
export function sourceOf(type: string): Source | undefined {
  return sources.find((source) => source.type === type);
}

/** The source of a configured asset (the schema admits only known types). */
export function sourceFor(asset: { name: string; type: string }): Source {
  const source = sourceOf(asset.type);
  if (source === undefined)
    throw new BackupError('CONFIG_INVALID', `asset "${asset.name}": unknown type ${asset.type}`);
  return source;
}
