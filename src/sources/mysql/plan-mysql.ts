// The mysql asset: one streamed mariadb-dump/mysqldump per database, accepted only if it exited 0
// AND its output ends with the "-- Dump completed" footer.
import { basename } from 'node:path';
import { BackupError } from '../../shared/backup-error.js';
import { childOutput } from '../../shared/child-output.js';
import { must } from '../../shared/must.js';
import { startChild, stderrTail, type ChildCommand, type ChildResult as Result } from '../../shared/child-process.js';
import type { MysqlAssetConfig } from './mysql-asset-schema.js';
import { startCompressor } from '../../transforms/compressor-child.js';
import { BinlogPositionScanner } from './binlog-position.js';
import { binlogRecording, MASTER_DATA_OPTION } from './binlog-recording.js';
import { DumpContentsScanner } from './dump-contents.js';
import { DUMP_FOOTER } from './dump-footer.js';
import {
  describeServer,
  explainMysqlError,
  findMysqlTools,
  listDatabases,
  selectDatabases,
  type MysqlTools,
} from './mysql-client.js';
import { lockWaitError, watchLockWaits, type LockWait } from './mysql-lock-watch.js';
import { prepareOptionsFile } from './mysql-options-file.js';
import type { SourcePlan, SourceReport, SourceStream } from '../source.js';
import { findStdbuf, withStdoutBuffer } from './stdout-buffer.js';

/** Options every dump gets: a consistent InnoDB snapshot, streamed rows, all schema objects, exact bytes. */
export const DUMP_OPTIONS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--events',
  '--hex-blob',
  '--default-character-set=utf8mb4',
];

/** How many last bytes of a dump are checked for the footer. */
const FOOTER_WINDOW = 512;

/** What opening one database's dump needs besides the signal. */
interface DumpJob {
  asset: MysqlAssetConfig;
  tools: MysqlTools;
  optionsFile: string | undefined;
  database: string;
  /** A working coreutils stdbuf: the dump then writes 64 KiB at a time instead of 4 KiB. */
  stdbuf: string | undefined;
  /** Whether the dump writes its binlog position (MASTER_DATA_OPTION), read back into the manifest. */
  binlog: boolean;
}

/** Plans a `type: mysql` asset: one dump artifact per selected database. Throws BackupError when no database can be dumped. */
export async function planMysql(asset: MysqlAssetConfig, signal: AbortSignal): Promise<SourcePlan> {
  const tools = await findMysqlTools(asset);
  const stdbuf = await findStdbuf(signal);
  const options = await prepareOptionsFile(asset);
  try {
    const found = await listDatabases(asset, tools, options.path, signal);
    const databases = selectDatabases(asset, found);
    const binlog = await binlogRecording(asset, tools, options.path, signal);
    if (databases.length === 0) {
      throw new BackupError(
        'SOURCE_FAILED',
        `mysql "${asset.name}": no databases to back up on ${describeServer(asset)}`,
        { asset: asset.name },
      );
    }
    return {
      notes: [
        `${basename(tools.dump)} on ${describeServer(asset)}: ${databases.join(', ')}`,
        ...(stdbuf
          ? []
          : [`no working stdbuf (coreutils) on PATH: ${basename(tools.dump)} writes 4 KiB at a time, which costs CPU`]),
        ...(binlog.note ? [binlog.note] : []),
      ],
      skipped: [],
      items: databases.map((database) => {
        const job: DumpJob = { asset, tools, optionsFile: options.path, database, stdbuf, binlog: binlog.record };
        return {
          label: database,
          extension: 'sql',
          open: (runSignal: AbortSignal) => openDump(job, runSignal),
          openCompressed: (runSignal: AbortSignal, command: ChildCommand) => openDump(job, runSignal, command),
        };
      }),
      dispose: () => options.dispose(),
    };
  } catch (error) {
    await options.dispose();
    throw error;
  }
}

/** The dump's arguments for one database: the options file first (it must be), then DUMP_OPTIONS, extra_options and `more`. */
export function dumpArgs(
  asset: MysqlAssetConfig,
  optionsFile: string | undefined,
  database: string,
  more: string[] = [],
): string[] {
  return [
    ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []),
    ...DUMP_OPTIONS,
    ...asset.extra_options,
    ...more,
    '--databases',
    database,
  ];
}

function dumpCommand({ asset, tools, optionsFile, database, stdbuf, binlog }: DumpJob): ChildCommand {
  const more = binlog ? [MASTER_DATA_OPTION] : [];
  return withStdoutBuffer({ file: tools.dump, args: dumpArgs(asset, optionsFile, database, more) }, stdbuf);
}

/** The error for a dump that exited 0 without its footer, or undefined when `last` (its final bytes) ends with it. */
function footerError({ asset, tools }: DumpJob, last: string): BackupError | undefined {
  if (DUMP_FOOTER.test(last)) return undefined;
  return new BackupError(
    'SOURCE_FAILED',
    `mysql "${asset.name}": ${basename(tools.dump)} exited 0 but its output lacks the "-- Dump completed" footer: the dump is incomplete`,
    { asset: asset.name },
  );
}

/** Judges the dump's exit; the footer is checked apart (it needs the output's end). A lock wait it was stopped for wins. */
function judgeDump(
  { asset, tools, database }: DumpJob,
  result: Result,
  stderr: string,
  signal: AbortSignal,
  lockWait: LockWait | undefined,
): Error | undefined {
  if (result.isCanceled || signal.aborted)
    return new BackupError('INTERRUPTED', `mysql "${asset.name}": interrupted`, { asset: asset.name });
  if (lockWait) return lockWaitError(asset, database, lockWait);
  if (result.exitCode !== 0) return explainMysqlError(asset, tools.dump, result, stderr);
  return undefined;
}

/**
 * Starts the dump with its stdout through Node, which counts the bytes and keeps the last chunks (as
 * references: no per-chunk copy on a path that sees every byte). `judge` turns the dump's result into
 * its error, or the missing footer's, or undefined for a complete dump.
 */
function startDump(job: DumpJob, signal: AbortSignal) {
  const command = dumpCommand(job);
  const child = startChild(command.file, command.args, {
    env: 'client',
    signal,
    buffer: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  // KILL QUERY ends the waiting statement and the dump exits; should it not, it is killed.
  const watch = watchLockWaits(job, signal, () => setTimeout(() => child.kill('SIGKILL'), 10_000).unref());
  void child.finally(() => watch.stop());
  const stderr = stderrTail(child);
  const last: Buffer[] = [];
  const counted = { bytes: 0 };
  // Counts objects and rows of the very bytes stored, for restore drills (manifest `contents`).
  const scanner = new DumpContentsScanner();
  // Reads the position the dump wrote (head and tail comments), for point-in-time recovery.
  const position = new BinlogPositionScanner();
  let kept = 0;
  const stdout = must(child.stdout, "the dump's stdout pipe");
  stdout.on('data', (chunk: Buffer) => {
    counted.bytes += chunk.length;
    scanner.write(chunk);
    position.write(chunk);
    last.push(chunk);
    kept += chunk.length;
    for (let oldest = last[0]; oldest && last.length > 1 && kept - oldest.length >= FOOTER_WINDOW; oldest = last[0]) {
      last.shift();
      kept -= oldest.length;
    }
  });
  const judge = (result: Result): Error | undefined =>
    judgeDump(job, result, stderr(), signal, watch.tripped()) ??
    footerError(job, Buffer.concat(last).subarray(-FOOTER_WINDOW).toString('latin1'));
  return { child, stdout, judge, counted, scanner, position };
}

/**
 * One database's dump, compressed by `compressor` when given: the dump's output passes through Node
 * (to check the footer on the very bytes compressed) into the compressor's stdin, and the compressed
 * output is the stream. It ends only if the dump exited 0 with its footer and the compressor exited 0.
 * The dump's error wins, unless the compressor failed first (the dump is then stopped).
 */
function openDump(job: DumpJob, signal: AbortSignal, compressor?: ChildCommand): SourceStream {
  const { asset } = job;
  const report: SourceReport = { skipped: [], warnings: [], omitted: 0 };
  const dump = startDump(job, signal);
  /** The dump's verdict; a complete dump's counts go into the report. */
  const judge = (result: Result): Error | undefined => {
    const error = dump.judge(result);
    const contents = error === undefined ? dump.scanner.result() : undefined;
    if (contents) report.contents = contents;
    const binlog = error === undefined ? dump.position.result() : undefined;
    if (binlog) report.binlog = binlog;
    return error;
  };
  if (!compressor) return { stream: childOutput(dump.child, judge), report };

  const compress = startCompressor(compressor, signal, { label: `mysql "${asset.name}"`, asset: asset.name });
  // A compressor that stopped reading (it died, or the upload destroyed it) stops the dump; its exit status is the cause.
  // The dump may have exited already with output still unread: that is drained too, or its result never settles.
  let compressorGone = false;
  const stopDump = () => {
    const output = dump.stdout;
    if (output.readableEnded) return;
    if (!signal.aborted) compressorGone = true;
    output.unpipe(compress.stdin);
    output.resume();
    if (dump.child.exitCode === null && dump.child.signalCode === null) dump.child.kill();
  };
  compress.stdin.on('error', stopDump);
  void compress.child.finally(stopDump);
  dump.stdout.pipe(compress.stdin);
  const upstream = Promise.all([dump.child, compress.child]).then(([dumpResult, compressResult]) => {
    report.bytesRead = dump.counted.bytes;
    if (!compressorGone) return judge(dumpResult);
    return compress.judge(compressResult) ?? compress.failed('stopped reading before the end of the dump');
  });
  const stream = compress.output(upstream);
  return {
    stream,
    report,
    progress: { read: () => dump.counted.bytes, total: () => undefined },
    compressorBlocked: () => compress.stdin.writableLength > 0,
  };
}
