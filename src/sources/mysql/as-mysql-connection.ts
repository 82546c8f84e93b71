// Another MySQL source's asset (mysql-physical, mysql-binlog) in the shape the mysql source's code takes,
// so the options file (credentials never in argv) and the client's error messages are that source's own.
import type { MysqlAssetConfig } from './mysql-asset-schema.js';

/** The connection keys every MySQL source's asset has (connection-schema.ts). */
export interface ConnectionKeys {
  name: string;
  defaults_file?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  socket?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  password_file?: string | undefined;
}

/** The mysql-source view of `asset`: its connection keys, with the dump-only keys at their defaults. */
export function asMysqlConnection(asset: ConnectionKeys): MysqlAssetConfig {
  const { name, defaults_file, host, port, socket, user, password, password_file } = asset;
  return {
    name,
    type: 'mysql',
    databases: 'all',
    include_system: false,
    dump_binary: 'auto',
    extra_options: [],
    concurrency: 1,
    lock_wait_timeout: 300_000,
    ...(defaults_file !== undefined ? { defaults_file } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(socket !== undefined ? { socket } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(password_file !== undefined ? { password_file } : {}),
  };
}
