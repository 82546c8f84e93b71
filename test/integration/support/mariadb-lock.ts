// Holds a MariaDB table lock from another session, as an operator's `LOCK TABLES t WRITE` would, until released.
import { execa } from 'execa';
import { runSql } from './mariadb-client.js';

export interface HeldLock {
  /** The holding session's connection id. */
  id: string;
  /** Ends the holding session (KILL from root) and waits for its client to exit. */
  release(): Promise<void>;
}

/** Starts a session that runs `LOCK TABLES database.table WRITE` and then sleeps; resolves once the lock is held. */
export async function holdTableLock(rootDefaultsFile: string, database: string, table: string): Promise<HeldLock> {
  const marker = `lock-${database}-${table}-${Date.now()}`;
  const holder = execa(
    'mariadb',
    [
      `--defaults-extra-file=${rootDefaultsFile}`,
      database,
      `--execute=LOCK TABLES \`${table}\` WRITE; SELECT SLEEP(3600), '${marker}'`,
    ],
    { reject: false },
  );
  const deadline = Date.now() + 30_000;
  let id = '';
  while (id === '') {
    if (Date.now() > deadline || holder.exitCode !== null)
      throw new Error(`the lock on ${database}.${table} was never taken: ${(await holder).stderr}`);
    id = await runSql(
      rootDefaultsFile,
      `SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE '%${marker}%'`,
    );
    if (id === '') await new Promise((r) => setTimeout(r, 50));
  }
  return {
    id,
    release: async () => {
      await runSql(rootDefaultsFile, `KILL ${id}`).catch(() => undefined);
      await holder;
    },
  };
}
