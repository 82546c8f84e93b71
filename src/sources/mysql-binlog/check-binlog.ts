// Preflight of a mysql-binlog asset: the binlog client is there, the account holds the replication
// privileges the stream needs (binlog-grants.ts), the server's binary log is on (log_bin) and in ROW
// format (STATEMENT/MIXED is a warning), and SHOW BINARY LOGS answers.
import { basename } from 'node:path';
import { errorText, fail, ok, warn, type CheckResult } from '../../shared/check-result.js';
import type { BinlogAssetConfig } from './binlog-asset-schema.js';
import { accountGrants } from '../mysql/mysql-grants.js';
import { missingBinlogPrivileges } from './binlog-grants.js';
import { binlogOptionsFile, binlogServerFacts, heldPrivileges } from './binlog-server.js';
import { findBinlogTool } from './binlog-tool.js';

/** Checks one asset the way `backup-agent binlog` would use it. Returns one result; never throws. */
export async function checkBinlogAsset(asset: BinlogAssetConfig, signal: AbortSignal): Promise<CheckResult> {
  const check = `mysql-binlog "${asset.name}"`;
  let options: Awaited<ReturnType<typeof binlogOptionsFile>> | undefined;
  try {
    const tool = await findBinlogTool(asset);
    options = await binlogOptionsFile(asset);
    const { account, held } = await heldPrivileges(asset, options.path, signal);
    const missing = missingBinlogPrivileges(held);
    if (missing.length > 0) {
      const quoted = account.replace(/^([^@]*)@(.*)$/, "'$1'@'$2'");
      const [, grant = ''] = accountGrants(quoted, missing, []).statements;
      return fail(
        check,
        `${account} lacks ${missing.map((p) => `${p.privilege} (${p.why})`).join(', ')}: ${grant} (\`backup-agent policy --mysql\` prints the account)`,
      );
    }
    const facts = await binlogServerFacts(asset, options.path, signal);
    if (!facts.logBin) return fail(check, `the server (${facts.version}) has no binary log: start it with --log-bin`);
    const where = `${basename(tool)}: server ${facts.version}, server_id ${facts.serverId}, ${facts.files.length} binlog files (${facts.files[0] ?? '-'} .. ${facts.files.at(-1) ?? '-'})`;
    if (facts.format !== 'ROW')
      return warn(
        check,
        `${where}; binlog_format is ${facts.format}: replaying STATEMENT/MIXED events may not reproduce the data, use ROW`,
      );
    return ok(check, `${where}, binlog_format ROW`);
  } catch (error) {
    return fail(check, errorText(error));
  } finally {
    await options?.dispose();
  }
}
