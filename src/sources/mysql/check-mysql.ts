// Preflight of a mysql asset: the dump binary is there, the server answers with the configured
// credentials, every configured database exists, the account holds every privilege a backup needs
// (check-grants.ts), and a schema-only dump of each succeeds.
import { basename } from 'node:path';
import { startChild } from '../../shared/child-process.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { errorText, fail, ok, type CheckResult } from '../../shared/check-result.js';
import {
  describeServer,
  explainMysqlError,
  findMysqlTools,
  listDatabases,
  selectDatabases,
  type MysqlTools,
} from './mysql-client.js';
import { lockWaitError, watchLockWaits } from './mysql-lock-watch.js';
import { dumpArgs } from './plan-mysql.js';
import { describeMissing, findMissingPrivileges } from './check-grants.js';
import { prepareOptionsFile } from './mysql-options-file.js';

/**
 * Checks one mysql asset the way a backup would use it (same binary, options file, dump options
 * and extra_options). The schema-only dump (`--no-data`) proves the privileges for views,
 * triggers, routines and events without reading table data. Returns one result.
 */
export async function checkMysqlAsset(asset: MysqlAssetConfig, signal: AbortSignal): Promise<CheckResult> {
  const check = `mysql "${asset.name}"`;
  let tools: MysqlTools;
  let options: Awaited<ReturnType<typeof prepareOptionsFile>>;
  try {
    tools = await findMysqlTools(asset);
    options = await prepareOptionsFile(asset);
  } catch (error) {
    return fail(check, errorText(error));
  }
  try {
    const found = await listDatabases(asset, tools, options.path, signal);
    const databases = selectDatabases(asset, found);
    const missing = databases.filter((db) => !found.includes(db));
    if (missing.length > 0) {
      return fail(
        check,
        `database${missing.length === 1 ? '' : 's'} ${missing.map((d) => `"${d}"`).join(', ')} not found on ${describeServer(asset)}: it does not exist or this user has no privileges on it (SHOW DATABASES lists: ${found.join(', ') || 'nothing'}); fix databases or GRANT the backup user access`,
      );
    }
    if (databases.length === 0) return fail(check, `no databases to back up on ${describeServer(asset)}`);
    const grants = await findMissingPrivileges(asset, tools, options.path, signal);
    if (grants.missing.length > 0) return fail(check, describeMissing(grants));
    for (const database of databases) {
      const problem = await schemaDump(asset, tools, options.path, database, signal);
      if (problem !== undefined)
        return fail(check, `schema dump of "${database}" failed: ${problem.replace(`${check}: `, '')}`);
    }
    return ok(
      check,
      `${basename(tools.dump)} (${tools.dump}) on ${describeServer(asset)}: ${databases.join(', ')} reachable, schema dump succeeds`,
    );
  } catch (error) {
    return fail(check, errorText(error));
  } finally {
    await options.dispose();
  }
}

/**
 * A schema-only dump of `database`, bounded like a backup's: a lock wait past lock_wait_timeout is
 * ended (see watchLockWaits), and the whole dump may take lock_wait_timeout + 2 minutes at most.
 * Returns the problem, or undefined when it succeeded.
 */
async function schemaDump(
  asset: MysqlAssetConfig,
  tools: MysqlTools,
  optionsFile: string | undefined,
  database: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const timeout = asset.lock_wait_timeout + 120_000;
  const child = startChild(tools.dump, dumpArgs(asset, optionsFile, database, ['--no-data']), {
    env: 'client',
    signal,
    stdin: 'ignore',
    stdout: 'ignore',
    timeout,
  });
  const watch = watchLockWaits({ asset, tools, optionsFile, database }, signal, () => undefined);
  const result = await child.finally(() => watch.stop());
  const lockWait = watch.tripped();
  if (lockWait) return lockWaitError(asset, database, lockWait).message;
  if (result.timedOut)
    return `${basename(tools.dump)} did not finish within ${timeout / 1000}s (lock_wait_timeout + 120s) and was stopped`;
  return result.exitCode === 0
    ? undefined
    : explainMysqlError(asset, tools.dump, result, String(result.stderr)).message;
}
