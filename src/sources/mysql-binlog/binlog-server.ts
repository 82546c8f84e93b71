// The server side of a binlog stream: the asset's options file and what the server says about its
// binary log (through the mysql source's connection code: as-mysql-connection.ts).
import { asMysqlConnection } from '../mysql/as-mysql-connection.js';
import { prepareOptionsFile, type OptionsFile } from '../mysql/mysql-options-file.js';
import { findClient, queryRows } from '../mysql-physical/physical-connection.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';

/** What the server says about its binary log. */
export interface BinlogServerFacts {
  version: string;
  serverId: number;
  logBin: boolean;
  /** ROW, STATEMENT or MIXED. */
  format: string;
  /** SHOW BINARY LOGS: the files the server still has, oldest first (empty without log_bin). */
  files: string[];
}

/** The options file for `asset`; the caller disposes it. */
export const binlogOptionsFile = (asset: BinlogAssetConfig): Promise<OptionsFile> =>
  prepareOptionsFile(asMysqlConnection(asset));

/** Asks the server; throws the client's error explained (cannot connect, access denied). */
export async function binlogServerFacts(
  asset: BinlogAssetConfig,
  optionsFile: string | undefined,
  signal: AbortSignal,
): Promise<BinlogServerFacts> {
  const connection = asMysqlConnection(asset);
  const client = await findClient(`mysql-binlog "${asset.name}"`);
  const login = optionsFile ? [`--defaults-extra-file=${optionsFile}`] : [];
  const query = (sql: string) => queryRows(connection, client, login, sql, signal);
  const [[version = '', serverId = '0', logBin = '0', format = ''] = []] = await query(
    'SELECT VERSION(), @@server_id, @@log_bin, @@binlog_format',
  );
  const files = logBin === '1' ? (await query('SHOW BINARY LOGS')).map(([file = '']) => file) : [];
  return { version, serverId: Number(serverId), logBin: logBin === '1', format, files };
}

/** The global privileges of the asset's account (information_schema.USER_PRIVILEGES; needs none). */
export async function heldPrivileges(
  asset: BinlogAssetConfig,
  optionsFile: string | undefined,
  signal: AbortSignal,
): Promise<{ account: string; held: string[] }> {
  const connection = asMysqlConnection(asset);
  const client = await findClient(`mysql-binlog "${asset.name}"`);
  const login = optionsFile ? [`--defaults-extra-file=${optionsFile}`] : [];
  const query = (sql: string) => queryRows(connection, client, login, sql, signal);
  const [[account = ''] = []] = await query('SELECT CURRENT_USER()');
  const held = (await query('SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES')).map(([p = '']) => p);
  return { account, held };
}
