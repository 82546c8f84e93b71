import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mysqlAssetSchema } from './mysql-asset-schema.js';
import { mysqlGrants, neededPrivileges } from './mysql-grants.js';

const asset = (extra: Record<string, unknown>) =>
  mysqlAssetSchema.parse({ name: 'db', type: 'mysql', databases: ['shop'], ...extra });
const grants = (extra: Record<string, unknown>) =>
  neededPrivileges(asset(extra)).map((p) => `${p.privilege} ON ${p.on}`);

describe('neededPrivileges', () => {
  it('per database: SELECT, SHOW VIEW, TRIGGER, EVENT, and SELECT on mysql.proc (LIKE wildcards escaped)', () => {
    expect(grants({ databases: ['shop', 'my_app%'] })).toEqual([
      'SELECT ON `shop`.*',
      'SHOW VIEW ON `shop`.*',
      'TRIGGER ON `shop`.*',
      'EVENT ON `shop`.*',
      'SELECT ON `my\\_app\\%`.*',
      'SHOW VIEW ON `my\\_app\\%`.*',
      'TRIGGER ON `my\\_app\\%`.*',
      'EVENT ON `my\\_app\\%`.*',
      'SELECT ON `mysql`.`proc`',
    ]);
  });
  it('databases: all grants on *.*, which covers mysql.proc', () => {
    expect(grants({ databases: 'all' })).toEqual([
      'SELECT ON *.*',
      'SHOW VIEW ON *.*',
      'TRIGGER ON *.*',
      'EVENT ON *.*',
    ]);
  });
  it('extra_options add what they need (measured on MariaDB 10.11); --master-data adds nothing', () => {
    expect(grants({ extra_options: ['--skip-single-transaction'] })).toContain('LOCK TABLES ON `shop`.*');
    expect(grants({ extra_options: ['--skip-single-transaction', '--skip-lock-tables'] })).not.toContain(
      'LOCK TABLES ON `shop`.*',
    );
    expect(grants({ extra_options: ['--loose-flush_logs'] })).toContain('RELOAD ON *.*');
    expect(grants({ extra_options: ['--dump-slave=2'] })).toContain('SLAVE MONITOR ON *.*');
    expect(grants({ extra_options: ['--master-data=2'] })).toEqual(grants({}));
  });
});

describe('mysqlGrants', () => {
  it('takes the user from defaults_file and the host from the connection; never a password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ba-grants-unit-'));
    const file = join(dir, 'my.cnf');
    await writeFile(file, '[client]\nuser = "dumper"\npassword = s3cret\n');
    await chmod(file, 0o600);
    const [account] = await mysqlGrants(asset({ defaults_file: file, host: 'db.example.com' }), {});
    expect(account?.account).toBe("'dumper'@'%'");
    expect(account?.statements.join('\n')).not.toContain('s3cret');
    expect(account?.notes.join('\n')).toContain('--account-host');
    const [local] = await mysqlGrants(asset({ user: "o'brien" }), {});
    expect(local?.statements[0]).toBe(
      "CREATE USER IF NOT EXISTS 'o\\'brien'@'localhost' IDENTIFIED BY <password from the options file>;",
    );
  });
});
