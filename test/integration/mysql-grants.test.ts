// Least-privilege MySQL end to end: the account `policy --mysql` prints, created as printed on a real
// MariaDB, backs up and restores every object kind (tables, views, triggers, routines, events); with a
// grant revoked, `check` fails naming it, including the two a dump would silently do without.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './support/cli.js';
import { FIXTURE_OBJECTS, startMariaDb, type MariaDb } from './support/mariadb.js';

const PASSWORD = 'Least-priv-pw-1';
let db: MariaDb;
const servers: MariaDb[] = [];
let work: string;
let config: string;

beforeAll(async () => {
  db = await startMariaDb();
  servers.push(db);
  work = await mkdtemp(join(tmpdir(), 'ba-grants-'));
  await db.createFixtureDatabase('shop');
  await db.createFixtureDatabase('my_app');
  await db.createFixtureDatabase('myXapp'); // `my_app` unescaped in a GRANT would match this one too
  const passwordFile = join(work, 'mysql-password');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    destination: { type: 'local', path: join(work, 'store') },
    assets: [
      {
        name: 'shop-db',
        type: 'mysql',
        databases: ['shop', 'my_app'],
        host: '127.0.0.1',
        port: db.port,
        user: 'backup',
        password_file: passwordFile,
      },
    ],
  });
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs SQL as root through the mariadb client, as an administrator pastes the policy. */
async function asRoot(sql: string): Promise<void> {
  const result = await execa('mariadb', [`--defaults-extra-file=${db.rootDefaultsFile}`], {
    input: sql,
    reject: false,
  });
  expect(result.exitCode, result.stderr).toBe(0);
}

const line = (stdout: string, check: string) => stdout.split('\n').find((l) => l.includes(`${check}:`)) ?? '';

describe('policy --mysql', () => {
  it('prints an account that backs up and restores every object kind, and nothing more', async () => {
    const policy = await runCli(['policy', '--mysql', '-c', config, '--account-host', '%']);
    expect(policy.exitCode, policy.stderr).toBe(0);
    expect(policy.stdout).toContain(
      "CREATE USER IF NOT EXISTS 'backup'@'%' IDENTIFIED BY <password from the options file>;",
    );
    expect(policy.stdout).toContain("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON `my\\_app`.* TO 'backup'@'%';");
    expect(policy.stdout).not.toContain(PASSWORD);

    // As printed, the placeholder is a syntax error: nothing is created by accident.
    const unedited = await execa('mariadb', [`--defaults-extra-file=${db.rootDefaultsFile}`], {
      input: policy.stdout,
      reject: false,
    });
    expect(unedited.exitCode).not.toBe(0);
    await asRoot(policy.stdout.replace('<password from the options file>', `'${PASSWORD}'`));
    expect(await db.query("SHOW GRANTS FOR 'backup'@'%'")).not.toMatch(/myXapp|\*\.\*.*(SELECT|TRIGGER)/);

    const check = await runCli(['check', '-c', config]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(line(check.stdout, 'mysql "shop-db"')).toMatch(/^ok {4}mysql "shop-db": .* shop, my_app reachable/);

    const run = await runCli(['run', '-c', config]);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const database of ['shop', 'my_app']) {
      const into = `${database}_restored`;
      const restore = await runCli([
        'restore',
        '-c',
        config,
        '--asset',
        'shop-db',
        '--latest',
        '--database',
        database,
        '--into-database',
        into,
        '--db-defaults-file',
        db.rootDefaultsFile,
      ]);
      expect(restore.exitCode, restore.stderr).toBe(0);
      expect(await db.objects(into)).toEqual(FIXTURE_OBJECTS);
      expect(await db.checksums(into)).toEqual(await db.checksums(database));
    }
  });

  it('check names a revoked TRIGGER and SELECT on mysql.proc, which a dump would silently do without', async () => {
    await asRoot("REVOKE TRIGGER ON `shop`.* FROM 'backup'@'%'; REVOKE SELECT ON `mysql`.`proc` FROM 'backup'@'%';");
    const check = await runCli(['check', '-c', config]);
    expect(check.exitCode).toBe(1);
    const failed = line(check.stdout, 'mysql "shop-db"');
    expect(failed).toMatch(/^FAIL {2}mysql "shop-db": backup@% lacks 2 privileges: /);
    expect(failed).toContain(
      'TRIGGER ON `shop`.* for triggers (SHOW TRIGGERS): without it triggers would be silently left out of the dump',
    );
    expect(failed).toContain(
      'SELECT ON `mysql`.`proc` for routines (SHOW CREATE PROCEDURE/FUNCTION): without it routines (procedures, functions) would be silently left out of the dump: MariaDB omits them and exits 0',
    );
    expect(failed).not.toContain('my\\_app');
  });

  it('check names a revoked privilege whose absence fails the dump (SHOW VIEW)', async () => {
    await asRoot("REVOKE SHOW VIEW ON `my\\_app`.* FROM 'backup'@'%';");
    const check = await runCli(['check', '-c', config]);
    expect(check.exitCode).toBe(1);
    expect(line(check.stdout, 'mysql "shop-db"')).toContain(
      'SHOW VIEW ON `my\\_app`.* for view definitions (SHOW CREATE VIEW): without it the dump fails',
    );
  });
});
