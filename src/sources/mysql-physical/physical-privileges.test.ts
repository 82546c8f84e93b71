import { describe, expect, it } from 'vitest';
import { physicalAssetSchema } from './physical-asset-schema.js';
import { missingPrivileges, physicalGrants, physicalGrantStatement } from './physical-privileges.js';

describe('physical backup privileges', () => {
  it('names what a MariaDB user lacks; SUPER covers BINLOG MONITOR, ALL PRIVILEGES everything', () => {
    expect(missingPrivileges('mariabackup', ['RELOAD']).map((p) => p.privilege)).toEqual(['PROCESS', 'BINLOG MONITOR']);
    expect(missingPrivileges('mariabackup', ['RELOAD', 'PROCESS', 'SUPER'])).toEqual([]);
    expect(missingPrivileges('mariabackup', ['ALL PRIVILEGES'])).toEqual([]);
  });

  it('prints the GRANT statement that adds them', () => {
    expect(physicalGrantStatement("'backup'@'localhost'")).toBe(
      "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO 'backup'@'localhost';",
    );
  });

  it('gives policy --mysql the account and its grants, with the host part from --account-host', async () => {
    const asset = physicalAssetSchema.parse({ name: 'phys', type: 'mysql-physical', user: 'backup', host: 'db1' });
    const [grants] = await physicalGrants(asset, { accountHost: '10.0.0.5' });
    expect(grants?.account).toBe("'backup'@'10.0.0.5'");
    expect(grants?.statements).toEqual([
      "CREATE USER IF NOT EXISTS 'backup'@'10.0.0.5' IDENTIFIED BY <password from the options file>;",
      "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO 'backup'@'10.0.0.5';",
    ]);
  });
});
