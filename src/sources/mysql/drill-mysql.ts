// The mysql half of `drill`: every dump of one run loaded into a throwaway mariadbd through the same
// restore as `restore --into-database`, then checked: CHECKSUM TABLE runs clean on every table, and the
// tables, views, triggers, routines, events and each table's rows equal what the dump held when it was
// taken (the manifest's `contents`, counted from the stored bytes). The backup is checked, not today's server.
import { join } from 'node:path';
import { toBackupError } from '../../shared/backup-error.js';
import type { DrillOutcome, DrillRequest, RestoreEntry, SourceContents } from '../source.js';
import { restoreDumpIntoDatabase } from './restore-mysql.js';
import { quoteIdentifier } from './sql-lexer.js';
import { startThrowawayServer, type ThrowawayServer } from './throwaway-server.js';

const KINDS = ['tables', 'views', 'triggers', 'routines', 'events'] as const;

/** Starts one throwaway server for the run, restores each database into it, checks it; the server is always killed. */
export async function drillMysql({ entries, read, scratch }: DrillRequest): Promise<DrillOutcome> {
  const outcome: DrillOutcome = { checks: [], problems: [], restoreSeconds: 0 };
  const server = await startThrowawayServer({
    scratch: join(scratch, 'mysql'),
    label: 'drill',
    startTimeoutMs: 60_000,
    graceful: false,
    signal: read.signal,
  });
  try {
    for (const entry of entries) {
      const database = entry.label ?? entry.asset;
      const started = performance.now();
      try {
        await restoreDumpIntoDatabase({
          entry,
          database,
          force: false,
          stripDefiners: false,
          connection: server.connection,
          read,
        });
      } catch (error) {
        if (read.signal.aborted) throw error;
        outcome.problems.push(toBackupError(error).message);
        continue;
      } finally {
        outcome.restoreSeconds += (performance.now() - started) / 1000;
      }
      outcome.checks.push(`${read.locate(entry.key)}: sha256 and size match the manifest; loaded into ${database}`);
      await checkDatabase(server, database, entry, read.locate(entry.key), outcome);
    }
  } finally {
    await server.stop();
  }
  return outcome;
}

/** SQL for `text` as a utf8mb4 string literal that no name can break out of. */
const literal = (text: string) => `CONVERT(X'${Buffer.from(text, 'utf8').toString('hex')}' USING utf8mb4)`;

/** CHECKSUM TABLE on every table, then the counts against the recorded ones; problems go into `outcome`. */
async function checkDatabase(
  server: ThrowawayServer,
  database: string,
  entry: RestoreEntry,
  where: string,
  outcome: DrillOutcome,
): Promise<void> {
  const db = literal(database);
  const tables = (
    await server.query(
      `SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${db} AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME`,
      `list the tables of ${database}`,
    )
  )
    .split('\n')
    .filter(Boolean)
    .map((hex) => Buffer.from(hex, 'hex').toString('utf8'));
  const qualified = (table: string) => `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
  if (tables.length > 0) {
    const sums = (
      await server.query(`CHECKSUM TABLE ${tables.map(qualified).join(', ')}`, `CHECKSUM TABLE in ${database}`)
    )
      .split('\n')
      .filter(Boolean);
    const bad = sums.filter((line) => line.endsWith('\tNULL') || !/\t\d+$/.test(line));
    if (bad.length > 0 || sums.length !== tables.length)
      outcome.problems.push(
        `${where}: CHECKSUM TABLE failed in ${database}: ${bad.slice(0, 3).join('; ') || 'rows missing'}`,
      );
    else outcome.checks.push(`CHECKSUM TABLE clean on ${tables.length} tables`);
  }
  const contents = entry.record.contents;
  if (contents === undefined) {
    outcome.checks.push('the manifest records no contents (an older backup): objects and rows not compared');
    return;
  }
  const counts = await countObjects(server, database);
  for (const kind of KINDS) {
    const recorded = contents[kind];
    if (recorded === undefined) continue;
    if (counts[kind] !== recorded)
      outcome.problems.push(
        `${where}: ${database} has ${counts[kind]} ${kind} after restore, the backup recorded ${recorded}`,
      );
  }
  const rows = await countRows(server, database, tables, qualified);
  compareRows(contents, rows, `${where}: ${database}`, outcome);
  if (outcome.problems.length === 0)
    outcome.checks.push(
      `${KINDS.map((k) => `${counts[k]} ${k}`).join(', ')} and the rows of every table as recorded (${[...rows.values()].reduce((a, b) => a + b, 0)} rows)`,
    );
}

async function countObjects(
  server: ThrowawayServer,
  database: string,
): Promise<Record<(typeof KINDS)[number], number>> {
  const db = literal(database);
  const out = await server.query(
    [
      `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${db} AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`,
      `SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${db}`,
      `SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${db}`,
      `SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${db}`,
      `SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${db}`,
    ].join(' UNION ALL '),
    `count the objects of ${database}`,
  );
  const [tables = 0, views = 0, triggers = 0, routines = 0, events = 0] = out.split('\n').filter(Boolean).map(Number);
  return { tables, views, triggers, routines, events };
}

async function countRows(
  server: ThrowawayServer,
  database: string,
  tables: string[],
  qualified: (table: string) => string,
): Promise<Map<string, number>> {
  if (tables.length === 0) return new Map();
  const out = await server.query(
    tables.map((t) => `SELECT COUNT(*) FROM ${qualified(t)};`).join(' '),
    `count the rows of ${database}`,
  );
  const numbers = out.split('\n').filter(Boolean).map(Number);
  return new Map(tables.map((t, i) => [t, numbers[i] ?? -1]));
}

/** Every recorded table must be there with its rows; no table may be there that the dump did not hold. */
function compareRows(contents: SourceContents, rows: Map<string, number>, what: string, outcome: DrillOutcome): void {
  const recorded = new Map(Object.entries(contents.rows ?? {}));
  for (const [table, count] of recorded) {
    const found = rows.get(table);
    if (found === undefined) outcome.problems.push(`${what}: table ${table} is missing after restore`);
    else if (found !== count)
      outcome.problems.push(`${what}: table ${table} has ${found} rows after restore, the backup recorded ${count}`);
  }
  for (const table of rows.keys())
    if (contents.rows !== undefined && !recorded.has(table))
      outcome.problems.push(`${what}: table ${table} is there after restore but the backup recorded none of that name`);
}
