// What a database holds, object by object, in a form two databases can be compared in: CHECKSUM TABLE of
// every table and sequence, SHOW CREATE of every object with the database's own name and DEFINER taken out.
import { literal } from './mariadb-client.js';
import type { SqlRunner } from './mariadb-fixture.js';

const SYSTEM_SCHEMAS = ['information_schema', 'performance_schema', 'mysql', 'sys'];

/** Every object of `database` as `kind name` -> its fingerprint line(s). */
export type Fingerprint = Record<string, string>;

/** Lists `kind\tname` of every table, view, sequence, routine, trigger and event of `database`, sorted. */
export async function listObjects(db: SqlRunner, database: string): Promise<string[]> {
  const d = literal(database);
  const out = await db.query(`
    SELECT LOWER(REPLACE(TABLE_TYPE, 'BASE ', '')), TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${d}
    UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${d}
    UNION ALL SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${d}
    UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${d}
    ORDER BY 1, 2`);
  return out.split('\n').filter(Boolean);
}

/**
 * The fingerprint of `database`: SHOW CREATE DATABASE, and for each object its SHOW CREATE output (every
 * column but trigger creation times), plus CHECKSUM TABLE … EXTENDED for tables and sequences. The
 * database's name (quoted with `, " or bare before a dot) becomes `<db>` and DEFINER clauses are removed,
 * so a copy under another name by another user compares equal.
 */
export async function fingerprint(db: SqlRunner, database: string): Promise<Fingerprint> {
  const q = ident(database);
  const result: Fingerprint = { database: normalize(await db.query(`SHOW CREATE DATABASE ${q}`), database) };
  for (const line of await listObjects(db, database)) {
    const [kind = '', name = ''] = line.split('\t');
    const object = `${q}.${ident(name)}`;
    const show = kind === 'system versioned' ? 'TABLE' : kind.toUpperCase();
    let text = await db.query(`SHOW CREATE ${show} ${object}`);
    if (kind === 'trigger') text = text.split('\t').slice(0, -1).join('\t'); // drop Created
    result[`${kind} ${name}`] = normalize(text, database);
    if (kind === 'table' || kind === 'sequence' || kind === 'system versioned') {
      result[`checksum ${name}`] = (await db.query(`CHECKSUM TABLE ${object} EXTENDED`)).split('\t')[1] ?? '';
    }
  }
  return result;
}

/** `schema\tkind\tname` of every object in every non-system database except `except` (and each database itself). */
export async function serverInventory(db: SqlRunner, except: string[] = []): Promise<string[]> {
  const schemas = (await db.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1'))
    .split('\n')
    .filter(Boolean);
  const all: string[] = [];
  for (const schema of schemas.filter((s) => !SYSTEM_SCHEMAS.includes(s) && !except.includes(s))) {
    all.push(`${schema}\tdatabase`, ...(await listObjects(db, schema)).map((o) => `${schema}\t${o}`));
  }
  return all;
}

/** Global counters of statements that write (CREATE DATABASE/TABLE, INSERT …): equal before and after = nothing written. */
export async function writeCounters(db: SqlRunner): Promise<string> {
  return db.query(`SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
    ('COM_CREATE_DB', 'COM_CREATE_TABLE', 'COM_CREATE_TRIGGER', 'COM_CREATE_PROCEDURE', 'COM_CREATE_VIEW', 'COM_INSERT', 'COM_DROP_DB') ORDER BY 1`);
}

function ident(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function normalize(text: string, database: string): string {
  const name = database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text
    .replace(/DEFINER=(`[^`]*`|"[^"]*"|'[^']*'|[^\s@]+)(@(`[^`]*`|"[^"]*"|'[^']*'|[^\s*]+))?\s*/g, '')
    .replace(new RegExp(`\`${name}\`|"${name}"|(?<![\\w$\\x80-\\uffff])${name}(?=\\.)`, 'g'), '<db>')
    .replace(new RegExp(`^${name}\\t`, 'gm'), '<db>\t');
}
