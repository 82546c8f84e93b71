// Preflight of a mysql-physical asset: the backup tool is there and matches the server's major.minor
// version, the user holds the privileges the tool needs, and the datadir is readable from here.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorText, fail, ok, type CheckResult } from '../../shared/check-result.js';
import { describeServer } from '../mysql/mysql-client.js';
import { prepareOptionsFile } from '../mysql/mysql-options-file.js';
import type { PhysicalAssetConfig } from './physical-asset-schema.js';
import { asMysqlConnection } from '../mysql/as-mysql-connection.js';
import { findClient, queryRows } from './physical-connection.js';
import { missingPrivileges, physicalGrantStatement } from './physical-privileges.js';
import { findBackupTool, majorMinor, toolVersion } from './physical-tools.js';

/** Checks one asset the way a backup would use it (same tool, options file, server). Returns one result; never throws. */
export async function checkPhysicalAsset(asset: PhysicalAssetConfig, signal: AbortSignal): Promise<CheckResult> {
  const check = `mysql-physical "${asset.name}"`;
  const connection = asMysqlConnection(asset);
  let options: Awaited<ReturnType<typeof prepareOptionsFile>> | undefined;
  try {
    const tool = await findBackupTool(asset.backup_binary, check);
    const version = await toolVersion(tool, signal);
    const client = await findClient(check);
    options = await prepareOptionsFile(connection);
    const login = options.path ? [`--defaults-extra-file=${options.path}`] : [];
    const [[server = '', datadir = ''] = []] = await queryRows(
      connection,
      client,
      login,
      'SELECT VERSION(), @@datadir',
      signal,
    );
    const held = (
      await queryRows(
        connection,
        client,
        login,
        'SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES',
        signal,
      )
    ).map(([privilege = '']) => privilege);
    const [[account = ''] = []] = await queryRows(connection, client, login, 'SELECT CURRENT_USER()', signal);
    const problems: string[] = [];
    const mariadbServer = /mariadb/i.test(server);
    if (mariadbServer !== (tool.flavor === 'mariabackup'))
      problems.push(
        `${basename(tool.binary)} cannot back up ${mariadbServer ? 'MariaDB' : 'MySQL'} ${server}: use ${mariadbServer ? 'mariabackup' : 'xtrabackup'}`,
      );
    else if (majorMinor(version) !== majorMinor(server))
      problems.push(
        `${basename(tool.binary)} ${version} does not match the server's ${server}: install the backup tool of the server's major.minor version`,
      );
    const missing = missingPrivileges(tool.flavor, held);
    if (missing.length > 0) {
      const quoted = account.replace(/^([^@]*)@(.*)$/, "'$1'@'$2'");
      problems.push(
        `${account} lacks ${missing.map((p) => `${p.privilege} (${p.why})`).join(', ')}: ${physicalGrantStatement(quoted, tool.flavor)}`,
      );
    }
    const unreadable = await access(datadir, constants.R_OK | constants.X_OK).then(
      () => undefined,
      (error: unknown) => (error instanceof Error && 'code' in error ? String(error.code) : 'unreadable'),
    );
    if (unreadable !== undefined)
      problems.push(
        `the datadir ${datadir} is not readable here (${unreadable}): run the agent on the database host as a user that can read it`,
      );
    if (problems.length > 0) return fail(check, problems.join('; '));
    return ok(
      check,
      `${basename(tool.binary)} ${version} on ${describeServer(connection)} (${server}), privileges held, datadir ${datadir} readable`,
    );
  } catch (error) {
    return fail(check, errorText(error));
  } finally {
    await options?.dispose();
  }
}
