// `restore --start`: proves a prepared datadir by starting a throwaway server on it (no network, its own
// socket, no grant tables), running CHECKSUM TABLE on every table, and shutting it down cleanly (the
// datadir is the operator's). It never outlives the restore: stopped in a finally, killed by the run's
// signal and with the agent.
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOwnedTempDir } from '../../shared/owned-temp-dir.js';
import { startThrowawayServer } from '../mysql/throwaway-server.js';
import { parseKeyValues } from './backup-positions.js';

/** One table's checksum as CHECKSUM TABLE reports it (`NULL` for a table it cannot checksum). */
export interface TableChecksum {
  table: string;
  checksum: string;
}

const LABEL = 'restore --start';
const BASE_TABLES =
  "SELECT CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.`', REPLACE(TABLE_NAME, '`', '``'), '`') FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN ('information_schema', 'performance_schema') ORDER BY TABLE_SCHEMA, TABLE_NAME";

/** The server options of the backup that matter to open its files (page size), from backup-my.cnf. */
async function backupOptions(datadir: string): Promise<string[]> {
  const text = await readFile(join(datadir, 'backup-my.cnf'), 'utf8').catch(() => '');
  const pageSize = parseKeyValues(text).get('innodb_page_size');
  return pageSize && /^\d+$/.test(pageSize) ? [`--innodb-page-size=${pageSize}`] : [];
}

function rows(out: string): string[][] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
}

/**
 * Starts a server on `datadir`, checksums every base table (all schemas but information_schema and
 * performance_schema) and stops it. Returns the checksums, sorted by table. Throws RESTORE_FAILED
 * naming the server's log tail when it does not start or a query fails.
 */
export async function checksumDatadir(datadir: string, signal: AbortSignal): Promise<TableChecksum[]> {
  const parent = tmpdir().length > 60 ? '/tmp' : tmpdir(); // a socket path holds 108 bytes
  const scratch = await createOwnedTempDir(parent, 'backup-agent-start-');
  try {
    const server = await startThrowawayServer({
      scratch,
      datadir,
      label: LABEL,
      extraArgs: [
        '--skip-grant-tables',
        '--skip-log-bin',
        '--skip-slave-start',
        '--event-scheduler=DISABLED',
        ...(await backupOptions(datadir)),
      ],
      startTimeoutMs: 300_000,
      graceful: true,
      signal,
    });
    try {
      const tables = rows(await server.query(BASE_TABLES, 'listing the tables'));
      const sums: TableChecksum[] = [];
      for (let i = 0; i < tables.length; i += 100) {
        const names = tables.slice(i, i + 100).map(([table = '']) => table);
        const out = await server.query(`CHECKSUM TABLE ${names.join(', ')}`, 'CHECKSUM TABLE');
        for (const [table = '', checksum = 'NULL'] of rows(out)) sums.push({ table, checksum });
      }
      return sums;
    } finally {
      await server.stop();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
