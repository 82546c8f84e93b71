// The mysql asset: one streamed mariadb-dump/mysqldump per database, accepted only if it exited 0
// AND its output ends with the "-- Dump completed" footer.
import type { Readable } from 'node:stream';
import { execa, type Result } from 'execa';
import { BackupError } from '../shared/backup-error.js';
import { childOutput } from '../shared/child-output.js';
import type { MysqlAssetConfig } from '../config/schema.js';
import { childEnv, describeServer, explainMysqlError, findMysqlTools, listDatabases, SYSTEM_DATABASES, type MysqlTools } from './mysql-client.js';
import { DUMP_FOOTER } from './dump-footer.js';
import { prepareOptionsFile } from './mysql-options-file.js';
import type { Source, SourceStream } from './source.js';
import { basename } from 'node:path';

/** Options every dump gets: a consistent InnoDB snapshot, streamed rows, all schema objects, exact bytes. */
export const DUMP_OPTIONS = [
  '--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4',
];


/** Creates the Source for a `type: mysql` asset. */
export function createMysqlSource(asset: MysqlAssetConfig): Source {
  return {
    name: asset.name,
    type: 'mysql',
    async plan(signal) {
      const tools = await findMysqlTools(asset);
      const options = await prepareOptionsFile(asset);
      try {
        const found = await listDatabases(asset, tools, options.path, signal);
        const databases = asset.databases === 'all'
          ? found.filter((db) => !SYSTEM_DATABASES.includes(db) && (asset.include_system || db !== 'mysql'))
          : asset.databases;
        if (databases.length === 0) {
          throw new BackupError('SOURCE_FAILED', `mysql "${asset.name}": no databases to back up on ${describeServer(asset)}`, { asset: asset.name });
        }
        return {
          notes: [`${basename(tools.dump)} on ${describeServer(asset)}: ${databases.join(', ')}`],
          skipped: [],
          items: databases.map((database) => ({
            label: database,
            extension: 'sql',
            open: (runSignal: AbortSignal) => openDump(asset, tools, options.path, database, runSignal),
          })),
          dispose: options.dispose,
        };
      } catch (error) {
        await options.dispose();
        throw error;
      }
    },
  };
}

function openDump(asset: MysqlAssetConfig, tools: MysqlTools, optionsFile: string | undefined, database: string, signal: AbortSignal): SourceStream {
  const args = [
    ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []), // must be the first argument
    ...DUMP_OPTIONS, ...asset.extra_options, '--databases', database,
  ];
  const child = execa(tools.dump, args, {
    reject: false, buffer: false, cancelSignal: signal, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', extendEnv: false, env: childEnv(),
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4096); });
  let last = '';
  child.stdout!.on('data', (chunk: Buffer) => { last = (last + chunk.toString('latin1')).slice(-512); });
  const judge = (result: Result): Error | undefined => {
    if (result.isCanceled || signal.aborted) return new BackupError('INTERRUPTED', `mysql "${asset.name}": interrupted`, { asset: asset.name });
    if (result.exitCode !== 0) return explainMysqlError(asset, tools.dump, result, stderr);
    if (!DUMP_FOOTER.test(last)) {
      return new BackupError('SOURCE_FAILED', `mysql "${asset.name}": ${basename(tools.dump)} exited 0 but its output lacks the "-- Dump completed" footer: the dump is incomplete`, { asset: asset.name });
    }
    return undefined;
  };
  const stream: Readable = childOutput(child, judge);
  return { stream, report: { skipped: [], warnings: [], omitted: 0 } };
}
