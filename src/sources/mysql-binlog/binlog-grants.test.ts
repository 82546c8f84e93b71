import { describe, expect, it } from 'vitest';
import { binlogGrants, missingBinlogPrivileges } from './binlog-grants.js';
import { binlogAssetSchema } from './binlog-asset-schema.js';

const asset = binlogAssetSchema.parse({ name: 'shop-binlog', type: 'mysql-binlog', host: '10.0.0.2', user: 'binlog' });

describe('binlog stream grants', () => {
  it('prints exactly REPLICATION SLAVE and BINLOG MONITOR on *.*', async () => {
    const [account] = await binlogGrants(asset, { accountHost: '10.0.0.5' });
    expect(account?.statements).toEqual([
      "CREATE USER IF NOT EXISTS 'binlog'@'10.0.0.5' IDENTIFIED BY <password from the options file>;",
      "GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'binlog'@'10.0.0.5';",
    ]);
  });

  it('names what is missing; REPLICATION CLIENT (its alias) and ALL PRIVILEGES count', () => {
    expect(missingBinlogPrivileges(['REPLICATION SLAVE']).map((p) => p.privilege)).toEqual(['BINLOG MONITOR']);
    expect(missingBinlogPrivileges(['REPLICATION CLIENT', 'replication slave'])).toEqual([]);
    expect(missingBinlogPrivileges(['ALL PRIVILEGES'])).toEqual([]);
    expect(missingBinlogPrivileges(['SELECT']).map((p) => p.privilege)).toEqual([
      'REPLICATION SLAVE',
      'BINLOG MONITOR',
    ]);
  });
});
