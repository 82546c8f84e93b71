// Throwaway MariaDB server for integration tests: own datadir, free port, root password, fixture and inspection helpers.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ident, literal, runSql, writeDefaultsFile } from './mariadb-client.js';
import { fillBig as fillBigTable, fixtureSql } from './mariadb-fixture.js';
import { datadirTemplate, exited, launchMariadbd, makeServerDir, terminate } from './mariadb-process.js';
import { requireTool } from './require-tool.js';

export { fillBig, FIXTURE_OBJECTS, FIXTURE_TABLES, ALL_BYTES_HEX } from './mariadb-fixture.js';
export { writeDefaultsFile } from './mariadb-client.js';

/**
 * Minimal privileges for `mariadb-dump --single-transaction --quick --routines --triggers --events` on 10.11.
 * No LOCK TABLES / RELOAD / PROCESS: --single-transaction takes no locks and no FLUSH without --master-data.
 * Per-database grants also need SELECT ON mysql.proc, or routines are SILENTLY left out (exit status 0).
 */
export const BACKUP_PRIVILEGES = 'SELECT, SHOW VIEW, TRIGGER, EVENT';

export interface MariaDb {
  host: '127.0.0.1';
  port: number;
  socket: string;
  datadir: string;
  rootPassword: string; // root@% / root@localhost get this password (set it during setup)
  /** Option file (0600) logging in as root over TCP; pass as `--defaults-extra-file=` FIRST argument. */
  rootDefaultsFile: string;
  /** mariadbd's error log (the place to look when something fails). */
  errorLog: string;
  /** How long startMariaDb took, in ms; `templateMs` is ~0 when the install-db template was cached. */
  startup: { templateMs: number; serverMs: number; setupMs: number; totalMs: number; cachedTemplate: boolean };
  /** Runs SQL as root via the `mariadb` client (credentials via --defaults-extra-file to a 0600 temp file, never argv); returns stdout (batch mode, -N -B). */
  query(sql: string, database?: string): Promise<string>;
  /**
   * Creates `user`@`%` with the minimal backup privileges ({@link BACKUP_PRIVILEGES}): on `*.*` by default,
   * or only on `databases` (plus SELECT on mysql.proc, needed for SHOW CREATE PROCEDURE/FUNCTION).
   */
  createBackupUser(user: string, password: string, opts?: { databases?: string[] }): Promise<void>;
  /** Writes a 0600 option file for `user` (TCP to this server) in the server's temp dir; resolves to its path. */
  writeDefaultsFile(user: string, password: string): Promise<string>;
  /** Creates database `name` with the rich fixture. */
  createFixtureDatabase(name: string): Promise<void>;
  /** Appends `rows` rows to `database`.big (see the exported fillBig). */
  fillBig(database: string, rows: number): Promise<void>;
  /** Map table -> CHECKSUM TABLE value for every base table in `database`. */
  checksums(database: string): Promise<Record<string, string>>;
  /** Names of routines, triggers, events, views in `database` (for restore checks), each sorted. */
  objects(database: string): Promise<{ routines: string[]; triggers: string[]; events: string[]; views: string[] }>;
  /** Kills the server with SIGKILL (for mid-dump failure tests); stop() still cleans up. */
  kill(): Promise<void>;
  /** Stops the server (SIGKILL: nothing in it is worth a clean shutdown) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a server; `serverArgs` are appended to mariadbd's (later options win: `--log-bin=...` turns the binary log on). */
export async function startMariaDb(options: { serverArgs?: string[] } = {}): Promise<MariaDb> {
  await requireTool('mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump');
  const t0 = Date.now();
  const { cached } = await datadirTemplate();
  const t1 = Date.now();
  const dir = await makeServerDir();
  let launched: Awaited<ReturnType<typeof launchMariadbd>> | undefined;
  try {
    launched = await launchMariadbd(dir, 30_000, options.serverArgs);
    const t2 = Date.now();
    const { child, port, socket, datadir, errorLog } = launched;
    const rootPassword = randomBytes(12).toString('hex');

    // install-db left root@localhost without a password (auth normal) plus root@127.0.0.1, root@::1, root@HOSTNAME.
    const bootstrap = await writeDefaultsFile(join(dir, 'bootstrap.cnf'), { user: 'root', password: '', socket });
    const others = await runSql(
      bootstrap,
      "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost'",
    );
    const pw = literal(rootPassword);
    await runSql(
      bootstrap,
      [
        ...others
          .split('\n')
          .filter(Boolean)
          .map((u) => `DROP USER ${u};`),
        `CREATE USER 'root'@'%' IDENTIFIED BY ${pw};`,
        `GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;`,
        `ALTER USER 'root'@'localhost' IDENTIFIED BY ${pw};`,
      ].join('\n'),
    );
    await rm(bootstrap, { force: true });
    const rootDefaultsFile = await writeDefaultsFile(join(dir, 'root.cnf'), {
      user: 'root',
      password: rootPassword,
      port,
    });
    const t3 = Date.now();

    let defaultsFiles = 0;
    let stopped = false;
    const query = (sql: string, database?: string): Promise<string> => runSql(rootDefaultsFile, sql, database);
    const server: MariaDb = {
      host: '127.0.0.1',
      port,
      socket,
      datadir,
      rootPassword,
      rootDefaultsFile,
      errorLog,
      startup: { templateMs: t1 - t0, serverMs: t2 - t1, setupMs: t3 - t2, totalMs: t3 - t0, cachedTemplate: cached },
      query,
      async createBackupUser(user, password, opts = {}) {
        const who = `${literal(user)}@'%'`;
        const grants = opts.databases
          ? [
              ...opts.databases.map((d) => `GRANT ${BACKUP_PRIVILEGES} ON ${ident(d)}.* TO ${who};`),
              `GRANT SELECT ON mysql.proc TO ${who};`,
            ]
          : [`GRANT ${BACKUP_PRIVILEGES} ON *.* TO ${who};`];
        await query([`CREATE USER ${who} IDENTIFIED BY ${literal(password)};`, ...grants].join('\n'));
      },
      writeDefaultsFile(user, password) {
        return writeDefaultsFile(join(dir, `client-${++defaultsFiles}.cnf`), { user, password, port });
      },
      async createFixtureDatabase(name) {
        await query(fixtureSql(name));
      },
      fillBig(database, rows) {
        return fillBigTable(server, database, rows);
      },
      async checksums(database) {
        const tables = await query(
          `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${literal(database)} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
        );
        const names = tables.split('\n').filter(Boolean);
        if (!names.length) return {};
        const out = await query(
          `CHECKSUM TABLE ${names.map((t) => `${ident(database)}.${ident(t)}`).join(', ')} EXTENDED`,
        );
        const result: Record<string, string> = {};
        for (const line of out.split('\n').filter(Boolean)) {
          const [qualified = '', value = ''] = line.split('\t');
          result[qualified.slice(database.length + 1)] = value;
        }
        return result;
      },
      async objects(database) {
        const db = literal(database);
        const out = await query(`
          SELECT 'routines', ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${db}
          UNION ALL SELECT 'triggers', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${db}
          UNION ALL SELECT 'events', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${db}
          UNION ALL SELECT 'views', TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${db}
          ORDER BY 1, 2`);
        const result = {
          routines: [] as string[],
          triggers: [] as string[],
          events: [] as string[],
          views: [] as string[],
        };
        for (const line of out.split('\n').filter(Boolean)) {
          const [kind, name = ''] = line.split('\t') as [keyof typeof result, string?];
          result[kind].push(name);
        }
        return result;
      },
      async kill() {
        await terminate(child, 'SIGKILL');
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await terminate(child, 'SIGKILL');
        await rm(dir, { recursive: true, force: true });
      },
    };
    return server;
  } catch (e) {
    if (launched && !exited(launched.child)) await terminate(launched.child);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
