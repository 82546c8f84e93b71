// `restore --until TIME` for a mysql asset: plans (until-plan.ts), prints the plan, and unless --dry-run
// downloads and checks every segment, restores the dump exactly as `restore --into-database` does, then
// replays the binary log from the dump's position up to TIME, limited to the dump's database (renamed
// with it). Nothing is written before every segment was checked; a failed replay drops the database
// it created.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';
import { runChild } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';
import { createOwnedTempDir } from '../../shared/owned-temp-dir.js';
import type { UntilRequest } from '../source.js';
import { findBinlogTool } from '../mysql-binlog/binlog-tool.js';
import { fetchSegments } from '../mysql-binlog/fetch-segments.js';
import { replayArguments, replayBinlog } from '../mysql-binlog/replay-binlog.js';
import { localDatetime } from '../mysql-binlog/until-time.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { prepareOptionsFile } from './mysql-options-file.js';
import { connectionFor } from './restore-command.js';
import { restoreDumpIntoDatabase } from './restore-mysql.js';
import { quoteIdentifier } from './sql-lexer.js';
import { planUntil, type UntilPlan } from './until-plan.js';

/** The plan as --dry-run (and a real run, first) prints it. */
export function describeUntilPlan(plan: UntilPlan, target: string, locate: (key: string) => string): string[] {
  const { dump, manifests } = plan;
  const first = manifests[0];
  const last = manifests.at(-1);
  const files = [...new Set(manifests.map((m) => m.file))];
  const stored = manifests.reduce((n, m) => n + m.bytes_stored, 0);
  const args = replayArguments({
    files,
    startPosition: dump.binlog.position,
    stopDatetime: localDatetime(plan.until),
    database: dump.label,
    target,
  });
  return [
    `restore --until ${localDatetime(plan.until)} (local time; ${plan.until.toISOString()})`,
    `  dump:    ${locate(dump.key)} (database ${dump.label}, run ${dump.started_at} - ${dump.finished_at}) at ${dump.binlog.file} byte ${dump.binlog.position}`,
    `  binlog:  series ${plan.series.series} of mysql-binlog "${plan.binlogAsset}": segments ${first?.segment ?? '-'}-${last?.segment ?? '-'} of ${files.join(', ')}, ${stored} bytes stored`,
    `  window:  from ${dump.finished_at} (the dump) to ${plan.lastShipped} (the last segment shipped without a hole before it)`,
    `  replay:  mariadb-binlog ${args.map((a) => (/^[\w=.,:/-]+$/.test(a) ? a : `'${a}'`)).join(' ')} | mariadb`,
    `  into:    database ${target}`,
  ];
}

/** Drops `database` (created by this restore), best effort. */
async function dropDatabase(client: string, connection: MysqlAssetConfig, database: string): Promise<void> {
  const options = await prepareOptionsFile(connection);
  try {
    const login = options.path ? [`--defaults-extra-file=${options.path}`] : [];
    await runChild(client, [...login, `--execute=DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`], {
      env: 'client',
      stdin: 'ignore',
      timeout: 120_000,
    });
  } finally {
    await options.dispose();
  }
}

/** The --into-database target; throws USAGE for --to (a replay needs a server). */
function targetOf(request: UntilRequest): string {
  const { intoDatabase, to } = request.options;
  if (to !== undefined || intoDatabase === undefined)
    throw new BackupError(
      'USAGE',
      'restore --until: give --into-database NAME (the binary log is replayed into a server, not onto disk)',
    );
  return intoDatabase;
}

/** Restores the dump and replays to TIME. Throws BackupError (the plan's, the dump restore's, RESTORE_FAILED). */
export async function restoreMysqlUntil(request: UntilRequest): Promise<void> {
  const target = targetOf(request);
  const plan = await planUntil(request);
  const { read, options } = request;
  describeUntilPlan(plan, target, (key) => read.locate(key)).forEach((line) => request.print(line));
  if (plan.beyondEnd && plan.until.getTime() > Date.parse(plan.lastShipped))
    request.warn(
      `TIME is after the last shipped segment (${plan.lastShipped}): the replay ends with the last shipped event`,
    );
  if (request.dryRun) return;
  const tool = await findBinlogTool({ name: plan.binlogAsset, binlog_binary: 'auto' });
  const client = (await findOnPath('mariadb')) ?? (await findOnPath('mysql'));
  if (client === undefined)
    throw new BackupError(
      'SOURCE_MISSING_TOOL',
      'restore: no mariadb or mysql client on PATH (install mariadb-client)',
    );
  const scratch = await createOwnedTempDir(tmpdir(), 'backup-agent-replay-');
  try {
    const files = await fetchSegments(request.store, plan.manifests, request.decryptor, scratch, read.signal);
    const connection = connectionFor(request.configured, plan.dump.asset, options);
    const force = options.force ?? false;
    await restoreDumpIntoDatabase({
      entry: plan.dump,
      database: target,
      force,
      stripDefiners: options.stripDefiners === true,
      connection,
      read,
    });
    await replayInto(plan, { tool, client, connection, files, target, force, signal: read.signal });
    request.print(
      `restored mysql "${plan.dump.asset}" (${plan.dump.label}) into database ${target}: the dump, then the binary log from ${plan.dump.binlog.file} byte ${plan.dump.binlog.position} up to ${localDatetime(plan.until)} (${files.map((f) => basename(f)).join(', ')})`,
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Replays; on failure drops the database when this restore created it (without --force it did). */
async function replayInto(
  plan: UntilPlan,
  job: {
    tool: string;
    client: string;
    connection: MysqlAssetConfig;
    files: string[];
    target: string;
    force: boolean;
    signal: AbortSignal;
  },
): Promise<void> {
  const options = await prepareOptionsFile(job.connection);
  try {
    await replayBinlog({
      asset: plan.dump.asset,
      tool: job.tool,
      client: job.client,
      optionsFile: options.path,
      files: job.files,
      startPosition: plan.dump.binlog.position,
      stopDatetime: localDatetime(plan.until),
      database: plan.dump.label,
      target: job.target,
      signal: job.signal,
    });
  } catch (error) {
    if (job.force) {
      if (error instanceof BackupError)
        error.details.push(
          `database ${job.target} existed before (--force) and now holds the dump and part of the replay`,
        );
    } else {
      await dropDatabase(job.client, job.connection, job.target).catch(() => undefined);
      if (error instanceof BackupError) error.details.push(`the partly restored database ${job.target} was dropped`);
    }
    throw error;
  } finally {
    await options.dispose();
  }
}
