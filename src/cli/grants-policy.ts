// `backup-agent policy --mysql`: the CREATE USER / GRANT statements of the least-privileged accounts the
// configured database assets log in as, asked of each asset's source (its `grants` verb). SQL on stdout
// (to review, then feed to the server as an administrator); the password is a placeholder.
import type { Config } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { sourceFor } from '../sources/registry.js';
import type { AccountGrants } from '../sources/source.js';

/** The SQL script for every asset whose source has accounts; throws USAGE when no asset has one. */
export async function grantsPolicy(config: Config, accountHost: string | undefined): Promise<string> {
  const blocks: string[] = [];
  for (const asset of config.assets) {
    const source = sourceFor(asset);
    if (source.grants === undefined) continue;
    const accounts = await source.grants(asset, { accountHost });
    blocks.push(...accounts.map((account) => block(`${asset.type} "${asset.name}"`, account)));
  }
  if (blocks.length === 0)
    throw new BackupError('USAGE', 'policy --mysql: this config has no mysql assets (no database accounts to grant)');
  return [
    '-- The least privileges of the database accounts this config backs up with (docs/grants.md).',
    "-- Put the account's password (the one in its options file), quoted, in place of the placeholder in CREATE USER,",
    '-- then run this as an administrator. Left as printed, that statement is a syntax error, on purpose.',
    ...blocks,
  ].join('\n');
}

function block(asset: string, account: AccountGrants): string {
  return [
    '',
    `-- ${asset}: ${account.account}`,
    ...account.notes.map((note) => `-- note: ${note}`),
    ...account.privileges
      .filter((p) => p.without === 'silent')
      .map((p) => `-- without ${p.privilege} ON ${p.on} a dump still exits 0 but leaves out ${p.why}`),
    ...account.statements,
    '',
  ].join('\n');
}
