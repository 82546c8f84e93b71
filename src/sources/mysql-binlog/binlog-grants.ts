// The privileges a binlog stream's account needs, as data: `policy --mysql` prints them and `check`
// names the missing ones. What the source does as that account: reads the binary log as a replica
// (`mariadb-binlog --read-from-remote-server`: REPLICATION SLAVE) and lists the server's binlog files
// (`SHOW BINARY LOGS`: BINLOG MONITOR on MariaDB 10.5+, where REPLICATION CLIENT is its alias);
// `SELECT VERSION(), @@server_id, @@log_bin, @@binlog_format` needs nothing. Measured on MariaDB 10.11.
import { accountGrants, accountName } from '../mysql/mysql-grants.js';
import type { AccountGrants, GrantsOptions, NeededPrivilege } from '../source.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';

/** One global privilege of the stream, and the names a server may list for it instead. */
interface BinlogPrivilege extends NeededPrivilege {
  /** Other names USER_PRIVILEGES may list that include it. */
  alsoSatisfiedBy: string[];
}

const PRIVILEGES: BinlogPrivilege[] = [
  {
    privilege: 'REPLICATION SLAVE',
    on: '*.*',
    why: 'reading the binary log as a replica (mariadb-binlog --read-from-remote-server)',
    without: 'fails',
    alsoSatisfiedBy: [],
  },
  {
    privilege: 'BINLOG MONITOR',
    on: '*.*',
    why: 'SHOW BINARY LOGS: the file a series starts from, and whether the shipped one was purged',
    without: 'fails',
    alsoSatisfiedBy: ['REPLICATION CLIENT'],
  },
];

/** The global privileges the stream needs. */
export function binlogPrivileges(): NeededPrivilege[] {
  return PRIVILEGES.map(({ alsoSatisfiedBy: _also, ...need }) => need);
}

/** The needed privileges missing from `held` (names as information_schema.USER_PRIVILEGES lists them). */
export function missingBinlogPrivileges(held: string[]): NeededPrivilege[] {
  const have = new Set(held.map((p) => p.toUpperCase()));
  if (have.has('ALL PRIVILEGES')) return [];
  return PRIVILEGES.filter((p) => !have.has(p.privilege) && !p.alsoSatisfiedBy.some((name) => have.has(name))).map(
    ({ alsoSatisfiedBy: _also, ...need }) => need,
  );
}

/** The stream's account and its one GRANT (the `grants` verb: `policy --mysql`). */
export async function binlogGrants(asset: BinlogAssetConfig, options: GrantsOptions): Promise<AccountGrants[]> {
  const notes: string[] = [];
  const account = await accountName(asset, options, notes);
  notes.push(
    'MariaDB 10.5+; before 10.5 (and on MySQL) BINLOG MONITOR is REPLICATION CLIENT. No data privilege: the stream reads no table',
  );
  return [accountGrants(account, binlogPrivileges(), notes)];
}
