// The global privileges a physical backup needs, as data: `check` compares them with the user's grants
// and `policy` can print them. Measured on MariaDB 10.11 with mariabackup 10.11 (docs/physical.md).
import { accountGrants, accountName } from '../mysql/mysql-grants.js';
import type { AccountGrants, GrantsOptions } from '../source.js';
import type { PhysicalAssetConfig } from './physical-asset-schema.js';

/** One privilege the backup user needs, and what the tool does with it. */
export interface NeededPrivilege {
  privilege: string;
  why: string;
  /** Privileges that include this one (SUPER covers BINLOG MONITOR on MariaDB). */
  alsoSatisfiedBy?: string[];
}

const MARIADB: NeededPrivilege[] = [
  { privilege: 'RELOAD', why: 'BACKUP STAGE and FLUSH (mariabackup refuses to start without it)' },
  {
    privilege: 'PROCESS',
    why: 'reads InnoDB status and the server variables (mariabackup refuses to start without it)',
  },
  {
    privilege: 'BINLOG MONITOR',
    why: 'SHOW MASTER STATUS: the binlog position and GTID recorded in the manifest',
    alsoSatisfiedBy: ['SUPER', 'REPLICATION CLIENT'],
  },
];

const MYSQL: NeededPrivilege[] = [
  { privilege: 'RELOAD', why: 'FLUSH TABLES / FLUSH NO_WRITE_TO_BINLOG' },
  { privilege: 'PROCESS', why: 'InnoDB status and the server variables' },
  { privilege: 'LOCK TABLES', why: 'LOCK TABLES FOR BACKUP / FLUSH TABLES WITH READ LOCK' },
  { privilege: 'REPLICATION CLIENT', why: 'the binlog position' },
  { privilege: 'BACKUP_ADMIN', why: 'LOCK INSTANCE FOR BACKUP and performance_schema.log_status (MySQL 8)' },
];

/** The global privileges `mariabackup` (flavor mariabackup) or `xtrabackup` needs, with why. */
export function physicalBackupPrivileges(flavor: 'mariabackup' | 'xtrabackup' = 'mariabackup'): NeededPrivilege[] {
  return flavor === 'mariabackup' ? MARIADB : MYSQL;
}

/** The GRANT statement for `account` (`'backup'@'localhost'`). */
export function physicalGrantStatement(account: string, flavor: 'mariabackup' | 'xtrabackup' = 'mariabackup'): string {
  const list = physicalBackupPrivileges(flavor).map((p) => p.privilege);
  return `GRANT ${list.join(', ')} ON *.* TO ${account};`;
}

/** The needed privileges missing from `held` (names as information_schema.USER_PRIVILEGES lists them). */
export function missingPrivileges(flavor: 'mariabackup' | 'xtrabackup', held: string[]): NeededPrivilege[] {
  const have = new Set(held.map((p) => p.toUpperCase()));
  if (have.has('ALL PRIVILEGES')) return [];
  return physicalBackupPrivileges(flavor).filter(
    (p) => !have.has(p.privilege) && !(p.alsoSatisfiedBy ?? []).some((other) => have.has(other)),
  );
}

/** The backup account of a mysql-physical asset and its GRANT (the `grants` verb: `policy --mysql`). */
export async function physicalGrants(asset: PhysicalAssetConfig, options: GrantsOptions): Promise<AccountGrants[]> {
  const notes: string[] = [];
  const account = await accountName(asset, options, notes);
  const flavor = asset.backup_binary.includes('xtrabackup') ? 'xtrabackup' : 'mariabackup';
  if (asset.backup_binary === 'auto')
    notes.push(
      'backup_binary is auto: the privileges of mariabackup (MariaDB); for xtrabackup (MySQL) see docs/physical.md',
    );
  const privileges = physicalBackupPrivileges(flavor).map((p) => ({
    privilege: p.privilege,
    on: '*.*',
    why: p.why,
    without: 'fails' as const,
  }));
  notes.push('mariabackup also reads the datadir: run the agent on the database host as a user that can read it');
  return [accountGrants(account, privileges, notes)];
}
