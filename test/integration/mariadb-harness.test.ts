// Proves the MariaDB harness: fixture, minimal backup grants, a full dump/restore round trip, and kill().
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql } from './support/mariadb-client.js';
import { restoreDump } from './support/mariadb-restore.js';
import { ALL_BYTES_HEX, FIXTURE_OBJECTS, FIXTURE_TABLES, startMariaDb, type MariaDb } from './support/mariadb.js';
import { ifStarted } from './support/if-started.js';

const BIG_ROWS = 100_000;
const DUMP_FLAGS = ['--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob'];

/** Runs mariadb-dump with the option file as FIRST argument, stdout straight to `out`. */
async function dump(defaultsFile: string, database: string, out: string): Promise<{ stderr: string }> {
  const args = [`--defaults-extra-file=${defaultsFile}`, ...DUMP_FLAGS, '--databases', database];
  return execa('mariadb-dump', args, { stdout: { file: out } });
}

async function tail(path: string, bytes = 200): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(bytes, size));
    await fh.read(buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Asserts that each fixture object made it into the dump text (mariadb-dump can omit routines silently). */
function expectAllObjects(sql: string): void {
  for (const r of FIXTURE_OBJECTS.routines)
    expect(sql).toMatch(new RegExp(`CREATE DEFINER=\\S+ (PROCEDURE|FUNCTION) \`${r}\``));
  for (const t of FIXTURE_OBJECTS.triggers) expect(sql).toMatch(new RegExp(`\\*/ /\\*!50003 TRIGGER ${t} `));
  for (const e of FIXTURE_OBJECTS.events) expect(sql).toMatch(new RegExp(`EVENT \`${e}\` ON SCHEDULE EVERY 1 DAY`));
  for (const v of FIXTURE_OBJECTS.views) expect(sql).toMatch(new RegExp(`VIEW \`${v}\` AS select`));
}

describe('MariaDB harness', () => {
  let db: MariaDb;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mariadb-harness-'));
    db = await startMariaDb();
    console.log('mariadb startup ms', db.startup);
    const t = Date.now();
    await db.createFixtureDatabase('shop');
    await db.createFixtureDatabase('small');
    console.log(`two fixture databases: ${Date.now() - t} ms`);
  });

  afterAll(async () => {
    await ifStarted(db)?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers as root over TCP with the generated password only', async () => {
    expect(await db.query('SELECT VERSION()')).toMatch(/MariaDB/);
    expect(await db.query("SELECT COUNT(*) FROM mysql.global_priv WHERE User = 'root'")).toBe('2'); // localhost and %
    expect((await stat(db.rootDefaultsFile)).mode & 0o777).toBe(0o600);
    const wrong = await db.writeDefaultsFile('root', 'not-the-password');
    await expect(runSql(wrong, 'SELECT 1')).rejects.toThrow(/Access denied/);
  });

  it('builds the fixture: awkward text and bytes survive, generated columns compute', async () => {
    expect(await db.query('SELECT HEX(data) FROM blobs WHERE id = 1', 'shop')).toBe(ALL_BYTES_HEX.toUpperCase());
    expect(await db.query('SELECT LENGTH(data), data = REPEAT(CHAR(0), 1000) FROM blobs WHERE id = 2', 'shop')).toBe(
      '1000\t1',
    );
    expect(await db.query('SELECT body FROM texts WHERE id = 2', 'shop')).toContain('👩‍👩‍👧‍👦');
    expect(await db.query('SELECT total, note_upper FROM orders WHERE id = 3', 'shop')).toBe('2469.00\tПРИВЕТ, МИР');
    expect(await db.query('SELECT COUNT(*) FROM audit_log', 'shop')).toBe('3'); // the trigger fired
    expect(await db.query('SELECT order_count(1)', 'shop')).toBe('2');
  });

  it('checksums() covers every base table and objects() lists every object', async () => {
    const sums = await db.checksums('shop');
    expect(Object.keys(sums).sort()).toEqual([...FIXTURE_TABLES]);
    for (const v of Object.values(sums)) expect(v).toMatch(/^\d+$/);
    expect(sums.big).toBe('0'); // empty until fillBig
    expect(await db.objects('shop')).toEqual(FIXTURE_OBJECTS);
    expect(await db.checksums('no_such_db')).toEqual({});
  });

  it(`fillBig() appends ${BIG_ROWS} rows quickly`, async () => {
    const t = Date.now();
    await db.fillBig('shop', BIG_ROWS);
    console.log(`fillBig(${BIG_ROWS}): ${Date.now() - t} ms`);
    await db.fillBig('shop', 10);
    expect(await db.query('SELECT COUNT(*), MIN(id), MAX(id) FROM big', 'shop')).toBe(
      `${BIG_ROWS + 10}\t1\t${BIG_ROWS + 10}`,
    );
  });

  it('a backup user with the minimal grants dumps everything; the dump restores under another name', async () => {
    await db.createBackupUser('backup', 'b4ckup pass!');
    const cnf = await db.writeDefaultsFile('backup', 'b4ckup pass!');
    expect((await stat(cnf)).mode & 0o777).toBe(0o600);
    const out = join(work, 'shop.sql');
    let t = Date.now();
    await dump(cnf, 'shop', out);
    const size = (await stat(out)).size;
    console.log(`dump: ${(size / 1e6).toFixed(1)} MB in ${Date.now() - t} ms`);
    expect(size).toBeGreaterThan(10e6);
    expect(await tail(out)).toMatch(/-- Dump completed on .*\n$/);
    const text = await readFile(out, 'utf8');
    expectAllObjects(text);
    expect(text).toContain('SET NAMES utf8mb4');
    expect(text).toContain(`0x${ALL_BYTES_HEX.toUpperCase()}`); // --hex-blob

    t = Date.now();
    await restoreDump(db.rootDefaultsFile, out, { from: 'shop', to: 'shop_copy' });
    console.log(`restore: ${Date.now() - t} ms`);
    expect(await db.checksums('shop_copy')).toEqual(await db.checksums('shop'));
    expect(await db.objects('shop_copy')).toEqual(FIXTURE_OBJECTS);
    expect(await db.query('SELECT order_count(1), (SELECT total FROM orders WHERE id = 1)', 'shop_copy')).toBe(
      '2\t29.97',
    );
    expect(await db.query("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'shop_copy'")).toBe(
      'DISABLED',
    );
  });

  it('per-database grants need SELECT on mysql.proc, else routines vanish from a "successful" dump', async () => {
    await db.createBackupUser('backup_small', 'pw-small', { databases: ['small'] });
    const good = join(work, 'small-good.sql');
    await dump(await db.writeDefaultsFile('backup_small', 'pw-small'), 'small', good);
    expectAllObjects(await readFile(good, 'utf8'));

    await db.query(
      `CREATE USER 'no_proc'@'%' IDENTIFIED BY 'pw'; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON small.* TO 'no_proc'@'%';`,
    );
    const bad = join(work, 'small-bad.sql');
    await dump(await db.writeDefaultsFile('no_proc', 'pw'), 'small', bad); // exit status 0 …
    const text = await readFile(bad, 'utf8');
    expect(text).toMatch(/-- Dump completed/);
    expect(text).not.toMatch(/CREATE DEFINER=\S+ (PROCEDURE|FUNCTION)/); // … yet no routines
  });

  it('restoring as a user without SUPER / SET USER needs the DEFINER clauses stripped', async () => {
    const dumped = join(work, 'small-good.sql');
    await db.query(`CREATE USER 'restorer'@'%' IDENTIFIED BY 'pw'; GRANT ALL ON small_copy.* TO 'restorer'@'%';`);
    const cnf = await db.writeDefaultsFile('restorer', 'pw');
    await expect(restoreDump(cnf, dumped, { from: 'small', to: 'small_copy' })).rejects.toThrow(/SUPER, SET USER/);
    await restoreDump(cnf, dumped, { from: 'small', to: 'small_copy', stripDefiners: true });
    expect(await db.checksums('small_copy')).toEqual(await db.checksums('small'));
    expect(await db.objects('small_copy')).toEqual(FIXTURE_OBJECTS);
    expect(await db.query("SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'small_copy'")).toBe(
      'restorer@%',
    );
  });

  it('kill() makes the next query fail; stop() still removes the datadir', async () => {
    const { datadir } = db;
    await db.kill();
    await expect(db.query('SELECT 1')).rejects.toThrow(/Can't connect|Lost connection|ERROR 2002|ERROR 2003/);
    await db.stop();
    expect(existsSync(datadir)).toBe(false);
  });
});
