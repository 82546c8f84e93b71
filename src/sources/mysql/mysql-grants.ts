// The least privileges of a mysql asset's dump user, as measured on MariaDB 10.11 (docs/grants.md):
// what `policy --mysql` prints and what `check` compares SHOW GRANTS with. A privilege whose absence
// makes mariadb-dump leave objects out while exiting 0 is marked `silent`.
import { readFile } from 'node:fs/promises';
import type { AccountGrants, GrantsOptions, NeededPrivilege } from '../source.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';

/** Printed where the password goes, unquoted: a syntax error until replaced by the quoted password, so it never runs by accident. */
export const PASSWORD_PLACEHOLDER = '<password from the options file>';

/** A name quoted for SQL (`shop` -> `` `shop` ``). */
export const quoteName = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** A database name as the `db` part of GRANT ... ON db.*, where `_` and `%` are LIKE wildcards: escaped. */
export const grantDatabase = (name: string) => quoteName(name.replace(/[\\_%]/g, (c) => `\\${c}`));

/** A string literal for SQL. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The option names in extra_options, normalised (`--loose-skip_lock-tables=1` -> `skip-lock-tables`, value). */
function options(asset: MysqlAssetConfig): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const option of asset.extra_options) {
    const [name = '', ...value] = option
      .slice(2)
      .replace(/^loose-/i, '')
      .split('=');
    found.set(name.toLowerCase().replaceAll('_', '-'), value.length > 0 ? value.join('=') : undefined);
  }
  return found;
}

const isOff = (value: string | undefined) => value !== undefined && /^(0|off|false)$/i.test(value);

/** Whether an option is on: `--x`, `--x=1`, and not `--skip-x`/`--disable-x`/`--x=0`. */
function enabled(set: Map<string, string | undefined>, name: string): boolean | undefined {
  if (set.has(`skip-${name}`) || set.has(`disable-${name}`)) return false;
  if (set.has(name)) return !isOff(set.get(name));
  return undefined;
}

/**
 * The privileges a backup of `asset` needs: the dump's (SELECT, SHOW VIEW, TRIGGER, EVENT on every dumped
 * database, SELECT on mysql.proc for routines) and those its extra_options add (LOCK TABLES without
 * --single-transaction, RELOAD for --flush-logs, SLAVE MONITOR for --dump-slave).
 */
export function neededPrivileges(asset: MysqlAssetConfig): NeededPrivilege[] {
  const scopes = asset.databases === 'all' ? ['*.*'] : asset.databases.map((db) => `${grantDatabase(db)}.*`);
  const coversMysql = asset.databases === 'all' || asset.databases.includes('mysql');
  const set = options(asset);
  const needs: NeededPrivilege[] = [];
  for (const on of scopes) {
    needs.push(
      { privilege: 'SELECT', on, why: 'table data and views', without: 'fails' },
      { privilege: 'SHOW VIEW', on, why: 'view definitions (SHOW CREATE VIEW)', without: 'fails' },
      { privilege: 'TRIGGER', on, why: 'triggers (SHOW TRIGGERS)', without: 'silent' },
      { privilege: 'EVENT', on, why: 'events (SHOW EVENTS)', without: 'fails' },
    );
    if (enabled(set, 'single-transaction') === false && enabled(set, 'lock-tables') !== false)
      needs.push({
        privilege: 'LOCK TABLES',
        on,
        why: 'LOCK TABLES (extra_options turn --single-transaction off)',
        without: 'fails',
      });
  }
  if (!coversMysql)
    needs.push({
      privilege: 'SELECT',
      on: '`mysql`.`proc`',
      why: 'routines (SHOW CREATE PROCEDURE/FUNCTION)',
      without: 'silent',
    });
  if (enabled(set, 'flush-logs') === true)
    needs.push({ privilege: 'RELOAD', on: '*.*', why: 'FLUSH TABLES/LOGS (--flush-logs)', without: 'fails' });
  if (set.has('dump-slave') && !isOff(set.get('dump-slave')))
    needs.push({
      privilege: 'SLAVE MONITOR',
      on: '*.*',
      why: 'SHOW ALL SLAVES STATUS (--dump-slave)',
      without: 'fails',
    });
  return needs;
}

/** The connection keys a database asset logs in with (mysql and mysql-physical share them). */
export interface AccountConnection {
  user?: string | undefined;
  defaults_file?: string | undefined;
  host?: string | undefined;
}

/** The user an asset logs in as: `user`, else the last `user=` in defaults_file's client sections. */
async function configuredUser(asset: AccountConnection): Promise<string | undefined> {
  if (asset.user !== undefined) return asset.user;
  if (asset.defaults_file === undefined) return undefined;
  const text = await readFile(asset.defaults_file, 'utf8').catch(() => '');
  let section = '';
  let user: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = (header[1] ?? '').trim().toLowerCase();
    else if (/^(client|mysqldump|mariadb-dump|client-mariadb|client-server)$/.test(section)) {
      const value = /^user\s*=\s*(.*)$/.exec(line)?.[1];
      if (value !== undefined) user = value.replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  return user;
}

/** The account's host part: --account-host, else `localhost` for a socket connection, else `%` (noted). */
function accountHost(asset: AccountConnection, options: GrantsOptions, notes: string[]): string {
  if (options.accountHost !== undefined) return options.accountHost;
  if (asset.host === undefined || asset.host === 'localhost') return 'localhost';
  notes.push(
    `host is ${asset.host}: the account is '%' (any host); narrow it to this machine's address as the server sees it with --account-host`,
  );
  return '%';
}

/** The dump account of `asset` and its statements (the `grants` verb of the mysql source). */
export async function mysqlGrants(asset: MysqlAssetConfig, options: GrantsOptions): Promise<AccountGrants[]> {
  const notes: string[] = [];
  const account = await accountName(asset, options, notes);
  if (asset.databases === 'all')
    notes.push(
      'databases: all needs grants on *.*, which also let the account read the mysql schema (password hashes); list the databases to grant them one by one',
    );
  return [accountGrants(account, neededPrivileges(asset), notes)];
}

/** The account (`'backup'@'localhost'`) an asset logs in as; how it was chosen goes to `notes`. */
export async function accountName(asset: AccountConnection, options: GrantsOptions, notes: string[]): Promise<string> {
  const user = await configuredUser(asset);
  if (user === undefined) notes.push('no user in the config or defaults_file: the account is named backup; set user');
  return `${literal(user ?? 'backup')}@${literal(accountHost(asset, options, notes))}`;
}

/** CREATE USER and one GRANT per scope giving `account` exactly `privileges`. */
export function accountGrants(account: string, privileges: NeededPrivilege[], notes: string[]): AccountGrants {
  const byScope = new Map<string, string[]>();
  for (const need of privileges) byScope.set(need.on, [...(byScope.get(need.on) ?? []), need.privilege]);
  const statements = [
    `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${PASSWORD_PLACEHOLDER};`,
    ...[...byScope].map(([on, names]) => `GRANT ${[...new Set(names)].join(', ')} ON ${on} TO ${account};`),
  ];
  return { account, privileges, statements, notes };
}
