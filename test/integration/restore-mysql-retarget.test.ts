// restore --into-database under another name, end to end: databases whose objects name themselves
// (qualified trigger/view/event/routine bodies, ANSI_QUOTES, a non-root definer, a latin1 trigger), with
// names holding "-", "$" and non-ASCII letters, backed up with put-only credentials and restored with
// read credentials: the copy's fingerprint equals the source's, and nothing else on the server changes.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from './support/moto.js';
import { runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import {
  dynamicSqlFixture,
  FIDELITY_DEFINER,
  fidelitySql,
  latin1TriggerSql,
} from './support/mariadb-fidelity-fixture.js';
import { fingerprint, serverInventory, writeCounters, type Fingerprint } from './support/mariadb-fingerprint.js';
import { createRestorer } from './support/operator.js';
import { ifStarted } from './support/if-started.js';
import { putOnlyDestination } from './support/s3-config.js';

const PASSWORD = 'Backup-pw-123';
const SHOP = 'web-shop';
const KASSE = 'kassé$2';
const DYN = 'dyn-shop';
let moto: MotoServer;
let db: MariaDb;
let work: string;
let config: string;
let readerKey: string;
const before: Record<string, Fingerprint> = {};

const restore = (...args: string[]) =>
  runCli(['restore', '-c', config, '--credentials-file', readerKey, '--asset', 'shop-db', '--latest', ...args]);

beforeAll(async () => {
  [moto, db] = await Promise.all([startMoto(), startMariaDb()]);
  work = await mkdtemp(join(tmpdir(), 'ba-retarget-'));
  await chmod(work, 0o755);
  await db.query(`CREATE USER ${FIDELITY_DEFINER}; GRANT ALL PRIVILEGES ON *.* TO ${FIDELITY_DEFINER};`);
  for (const name of [SHOP, KASSE]) await db.query(fidelitySql(name));
  await execa(
    'mariadb',
    [`--defaults-extra-file=${db.rootDefaultsFile}`, '--default-character-set=latin1', '--batch'],
    { input: latin1TriggerSql(KASSE) },
  );
  await db.query(dynamicSqlFixture(DYN));
  await db.createBackupUser('backup', PASSWORD);
  config = await writeConfig(work, {
    host: 'db-1',
    state_dir: join(work, 'state'),
    destination: await putOnlyDestination(moto, work),
    assets: [
      {
        name: 'shop-db',
        type: 'mysql',
        databases: [SHOP, KASSE, DYN],
        host: '127.0.0.1',
        port: db.port,
        user: 'backup',
        password: PASSWORD,
      },
    ],
  });
  readerKey = await createRestorer(moto, config, work);
  const run = await runCli(['run', '-c', config]);
  expect(run.exitCode, run.stderr).toBe(0);
  for (const name of [SHOP, KASSE]) before[name] = await fingerprint(db, name);
}, 180_000);
afterAll(async () => {
  await Promise.all([ifStarted(moto)?.stop(), ifStarted(db)?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('restore --into-database under another name', () => {
  it('the fixture has every kind of object the copy must bring back', () => {
    expect(Object.keys(before[SHOP]!).sort()).toEqual([
      'checksum audit',
      'checksum customers',
      'checksum invoice_no',
      'checksum orders',
      'checksum places',
      'database',
      'event purge_audit',
      'function order_count',
      'procedure add_order',
      'sequence invoice_no',
      'table audit',
      'table customers',
      'table orders',
      'table places',
      'trigger audit_bi',
      'trigger orders_ai',
      'view spend',
    ]);
    expect(before[SHOP]!['procedure add_order']).toMatch(
      /ANSI_QUOTES[^\t]*\tCREATE PROCEDURE "add_order".*INSERT INTO <db>\."orders"/,
    );
    expect(before[KASSE]!['trigger places_bi']).toContain("INSERT INTO <db>.audit (msg) VALUES ('lieu ajouté')");
  });

  it.each([
    [SHOP, 'copy-ü$1'],
    [KASSE, 'kasse_copy'],
  ])(
    'as root: %s into %s equals the source object by object; nothing else on the server changes',
    async (source, target) => {
      const others = await serverInventory(db, [target]);
      const result = await restore(
        '--database',
        source,
        '--into-database',
        target,
        '--db-defaults-file',
        db.rootDefaultsFile,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await fingerprint(db, target)).toEqual(before[source]);
      // The copy's routine and both its triggers (one ANSI_QUOTES) act on the copy, not on the source.
      await db.query(`CALL \`${target}\`.add_order(1, 1.00, 1, 'after the restore')`);
      expect(await db.query(`SELECT msg FROM \`${target}\`.audit ORDER BY id DESC LIMIT 1`)).toBe(
        'order 4 total 1.00 of 3',
      );
      expect(await fingerprint(db, source)).toEqual(before[source]);
      expect(await serverInventory(db, [target])).toEqual(others);
    },
  );

  it('as a user without SUPER who may only touch the target: refused on DEFINER (1227) without --strip-definers, equal with it', async () => {
    const target = 'nodef-ü';
    await db.query(
      `CREATE USER 'restorer'@'%' IDENTIFIED BY 'Restore-pw-1'; GRANT ALL PRIVILEGES ON \`${target}\`.* TO 'restorer'@'%';`,
    );
    const login = await db.writeDefaultsFile('restorer', 'Restore-pw-1');
    const others = await serverInventory(db, [target]);
    const refused = await restore('--database', SHOP, '--into-database', target, '--db-defaults-file', login);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/ERROR 1227 .*pass --strip-definers/);
    expect(refused.stderr).toContain(`the partly restored database ${target} was dropped`);
    const stripped = await restore(
      '--database',
      SHOP,
      '--into-database',
      target,
      '--db-defaults-file',
      login,
      '--strip-definers',
    );
    expect(stripped.exitCode, stripped.stderr).toBe(0);
    expect(await fingerprint(db, target)).toEqual(before[SHOP]);
    expect(
      await db.query(`SELECT DISTINCT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${target}'`),
    ).toBe('restorer@%');
    expect(await fingerprint(db, SHOP)).toEqual(before[SHOP]);
    expect(await serverInventory(db, [target])).toEqual(others);
  });

  it('a procedure whose dynamic SQL names the source database is refused before anything is written (exit 1)', async () => {
    const others = await serverInventory(db);
    const counters = await writeCounters(db);
    const result = await restore(
      '--database',
      DYN,
      '--into-database',
      'dyn-copy',
      '--db-defaults-file',
      db.rootDefaultsFile,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `refusing to restore database ${DYN} as dyn-copy: 1 statement would still reach another database; nothing was written`,
    );
    expect(result.stderr).toContain(
      `procedure count_items: a string names the source database ${DYN} ('\`${DYN}\`'): it would still act on ${DYN}`,
    );
    expect(result.stderr).toContain(
      `restore it under its own name (--into-database ${DYN}) on a scratch server, or write it out with --to FILE.sql`,
    );
    expect(await writeCounters(db)).toBe(counters);
    expect(await serverInventory(db)).toEqual(others);
  });
});
