// Preflight of a mysql asset: the dump binary is there, the server answers with the configured
// credentials, every configured database exists, and a schema-only dump of each succeeds.
import { basename } from 'node:path';
import { execa } from 'execa';
import type { MysqlAssetConfig } from '../config/schema.js';
import { errorText, fail, ok, type CheckResult } from '../shared/check-result.js';
import { childEnv, describeServer, explainMysqlError, findMysqlTools, listDatabases, selectDatabases, type MysqlTools } from './mysql-client.js';
import { dumpArgs } from './mysql-source.js';
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
      return fail(check, `database${missing.length === 1 ? '' : 's'} ${missing.map((d) => `"${d}"`).join(', ')} not found on ${describeServer(asset)}: it does not exist or this user has no privileges on it (SHOW DATABASES lists: ${found.join(', ') || 'nothing'}); fix databases or GRANT the backup user access`);
    }
    if (databases.length === 0) return fail(check, `no databases to back up on ${describeServer(asset)}`);
    for (const database of databases) {
      const result = await execa(tools.dump, dumpArgs(asset, options.path, database, ['--no-data']), { reject: false, cancelSignal: signal, stdin: 'ignore', stdout: 'ignore', extendEnv: false, env: childEnv(), timeout: 120_000 });
      if (result.exitCode !== 0) {
        return fail(check, `schema dump of "${database}" failed: ${explainMysqlError(asset, tools.dump, result, String(result.stderr)).message.replace(`${check}: `, '')}`);
      }
    }
    return ok(check, `${basename(tools.dump)} (${tools.dump}) on ${describeServer(asset)}: ${databases.join(', ')} reachable, schema dump succeeds`);
  } catch (error) {
    return fail(check, errorText(error));
  } finally {
    await options.dispose();
  }
}
