// `check`'s privilege test of a mysql asset: SHOW GRANTS of the account the backup logs in as (with its
// active roles), compared with what a backup needs, so a missing privilege is named before a backup
// fails, or, worse, succeeds without the triggers or routines.
import { runChild } from '../../shared/child-process.js';
import type { NeededPrivilege } from '../source.js';
import { missingPrivileges, parseShowGrants } from './grant-lines.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { explainMysqlError, type MysqlTools } from './mysql-client.js';
import { neededPrivileges } from './mysql-grants.js';

/** What check found: the account and the privileges it lacks. */
export interface GrantsFinding {
  account: string;
  missing: NeededPrivilege[];
}

/** Asks the server for the account's grants (SHOW GRANTS includes its active roles'). Throws BackupError when the client fails. */
export async function findMissingPrivileges(
  asset: MysqlAssetConfig,
  tools: MysqlTools,
  optionsFile: string | undefined,
  signal: AbortSignal,
): Promise<GrantsFinding> {
  const args = [
    ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []),
    '--batch',
    '--raw',
    '--skip-column-names',
    '--execute=SELECT CURRENT_USER(); SHOW GRANTS',
  ];
  const result = await runChild(tools.client, args, { env: 'client', signal, stdin: 'ignore', timeout: 60_000 });
  if (result.exitCode !== 0) throw explainMysqlError(asset, tools.client, result, String(result.stderr));
  const [account = '?', ...lines] = String(result.stdout).split('\n').filter(Boolean);
  return { account, missing: missingPrivileges(parseShowGrants(lines), neededPrivileges(asset)) };
}

/** The failure message naming each missing privilege and what a backup would do without it. */
export function describeMissing({ account, missing }: GrantsFinding): string {
  const each = missing.map((need) => {
    const effect =
      need.without === 'fails'
        ? 'the dump fails'
        : need.privilege === 'TRIGGER'
          ? 'triggers would be silently left out of the dump'
          : 'routines (procedures, functions) would be silently left out of the dump: MariaDB omits them and exits 0';
    return `${need.privilege} ON ${need.on} for ${need.why}: without it ${effect}`;
  });
  return `${account} lacks ${missing.length === 1 ? 'a privilege' : `${missing.length} privileges`}: ${each.join('; ')}; \`backup-agent policy --mysql\` prints the GRANT statements`;
}
