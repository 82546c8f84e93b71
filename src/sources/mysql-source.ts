// The mysql asset: one streamed mariadb-dump/mysqldump per database, accepted only if it exited 0
// AND its output ends with the "-- Dump completed" footer.
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { execa, type Result } from 'execa';
import { BackupError } from '../shared/backup-error.js';
import { childOutput, describeExit, tail } from '../shared/child-output.js';
import { findOnPath } from '../shared/find-on-path.js';
import type { MysqlAssetConfig } from '../config/schema.js';
import type { CompressorCommand } from '../transforms/compress.js';
import { TailVerifier } from '../transforms/verify-tail.js';
import { DUMP_FOOTER } from './dump-footer.js';
import { childEnv, describeServer, explainMysqlError, findMysqlTools, listDatabases, SYSTEM_DATABASES, type MysqlTools } from './mysql-client.js';
import { prepareOptionsFile } from './mysql-options-file.js';
import type { OpenOptions, SourceReport, Source, SourceStream } from './source.js';

/** Options every dump gets: a consistent InnoDB snapshot, streamed rows, all schema objects, exact bytes. */
export const DUMP_OPTIONS = [
  '--single-transaction', '--quick', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4',
];

/** How many last bytes of a dump are checked for the footer. */
const FOOTER_WINDOW = 512;

/** What opening one database's dump needs besides the signal. */
interface DumpJob {
  asset: MysqlAssetConfig;
  tools: MysqlTools;
  optionsFile: string | undefined;
  database: string;
}

/** Creates the Source for a `type: mysql` asset. */
export function createMysqlSource(asset: MysqlAssetConfig): Source {
  return {
    name: asset.name,
    type: 'mysql',
    async plan(signal) {
      const tools = await findMysqlTools(asset);
      // With `tail`, a zstd binary can read the dump directly (a kernel pipe) and the footer is checked out of band.
      const tailBinary = await findOnPath('tail');
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
          items: databases.map((database) => {
            const job: DumpJob = { asset, tools, optionsFile: options.path, database };
            return {
              label: database,
              extension: 'sql',
              open: (runSignal: AbortSignal) => openDump(job, runSignal),
              ...(tailBinary ? { openCompressed: (runSignal: AbortSignal, command: CompressorCommand, openOptions?: OpenOptions) => openDumpCompressed(job, runSignal, command, tailBinary, openOptions) } : {}),
            };
          }),
          dispose: options.dispose,
        };
      } catch (error) {
        await options.dispose();
        throw error;
      }
    },
  };
}

function dumpArgs({ asset, optionsFile, database }: DumpJob): string[] {
  return [
    ...(optionsFile ? [`--defaults-extra-file=${optionsFile}`] : []), // must be the first argument
    ...DUMP_OPTIONS, ...asset.extra_options, '--databases', database,
  ];
}

/** The error for a dump that exited 0 without its footer, or undefined when `last` (its final bytes) ends with it. */
function footerError({ asset, tools }: DumpJob, last: string): BackupError | undefined {
  if (DUMP_FOOTER.test(last)) return undefined;
  return new BackupError('SOURCE_FAILED', `mysql "${asset.name}": ${basename(tools.dump)} exited 0 but its output lacks the "-- Dump completed" footer: the dump is incomplete`, { asset: asset.name });
}

/** Judges the dump's exit; the footer is checked apart (it needs the output's end). */
function judgeDump({ asset, tools }: DumpJob, result: Result, stderr: string, signal: AbortSignal): Error | undefined {
  if (result.isCanceled || signal.aborted) return new BackupError('INTERRUPTED', `mysql "${asset.name}": interrupted`, { asset: asset.name });
  if (result.exitCode !== 0) return explainMysqlError(asset, tools.dump, result, stderr);
  return undefined;
}

function startDump(job: DumpJob, signal: AbortSignal, stdout: 'pipe' | NodeJS.WritableStream) {
  const child = execa(job.tools.dump, dumpArgs(job), {
    reject: false, buffer: false, cancelSignal: signal, stdin: 'ignore', stdout: stdout as never, stderr: 'pipe', extendEnv: false, env: childEnv(),
  });
  const state = { stderr: '' };
  child.stderr!.on('data', (chunk: Buffer) => { state.stderr = (state.stderr + chunk.toString('utf8')).slice(-4096); });
  return { child, state };
}

/** The dump's output through Node; the footer is checked on the last bytes seen. */
function openDump(job: DumpJob, signal: AbortSignal): SourceStream {
  const { child, state } = startDump(job, signal, 'pipe');
  // The last chunks, as references: no per-chunk string conversion on a path that sees every byte.
  const last: Buffer[] = [];
  let kept = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    last.push(chunk);
    kept += chunk.length;
    while (last.length > 1 && kept - last[0]!.length >= FOOTER_WINDOW) kept -= last.shift()!.length;
  });
  const judge = (result: Result): Error | undefined =>
    judgeDump(job, result, state.stderr, signal) ?? footerError(job, Buffer.concat(last).subarray(-FOOTER_WINDOW).toString('latin1'));
  const stream: Readable = childOutput(child, judge);
  return { stream, report: { skipped: [], warnings: [], omitted: 0 } };
}

/**
 * The dump written straight into the compressor's stdin (a kernel pipe: Node never sees the
 * uncompressed bytes). The compressed output is checked out of band: a copy is decompressed by
 * `zstd -d | tail -c N` and the stream ends only if the dump, the compressor and both verifier
 * children exited 0 and the decompressed end carries the footer. The dump's error wins, unless it
 * died only because the compressor did (a broken pipe).
 */
function openDumpCompressed(job: DumpJob, signal: AbortSignal, command: CompressorCommand, tailBinary: string, options: OpenOptions = {}): SourceStream {
  const { asset } = job;
  const report: SourceReport = { skipped: [], warnings: [], omitted: 0 };
  const compress = execa(command.file, command.args, {
    reject: false, buffer: { stdout: false, stderr: true }, cancelSignal: signal, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', extendEnv: false, env: {},
  });
  // With a progress display (a person at a terminal) the dump passes through Node to be counted;
  // otherwise the dump holds the pipe's write end and ours must close, or the compressor never sees end of input.
  const counted = options.progress ? { bytes: 0 } : undefined;
  const { child, state } = startDump(job, signal, counted ? 'pipe' : compress.stdin!);
  if (counted) {
    child.stdout!.on('data', (chunk: Buffer) => { counted.bytes += chunk.length; });
    // A write into a compressor that died fails with EPIPE; its exit status is the cause reported.
    compress.stdin!.on('error', () => undefined);
    child.stdout!.pipe(compress.stdin!);
  } else {
    const release = () => compress.stdin!.destroy();
    child.once('spawn', release);
    void child.finally(release);
  }
  const judgeCompressor = (result: Result): Error | undefined =>
    result.exitCode === 0 ? undefined
      : new BackupError('COMPRESS_FAILED', `mysql "${asset.name}": compression failed: ${basename(command.file)} ${describeExit(result)}: ${tail(String(result.stderr ?? '')) || result.shortMessage}`, { asset: asset.name });
  const upstream = Promise.all([child, compress]).then(([dumpResult, compressResult]) => {
    const dumpError = judgeDump(job, dumpResult, state.stderr, signal);
    const brokenPipe = dumpResult.signal === 'SIGPIPE' || /errno 32|Broken pipe|Connection reset/i.test(state.stderr);
    return dumpError && brokenPipe ? (judgeCompressor(compressResult) ?? dumpError) : dumpError;
  });
  const compressed = childOutput(compress, judgeCompressor, { upstream });
  const verifier = new TailVerifier({
    decompress: { file: command.file, args: command.decompressArgs }, tailBinary, bytes: FOOTER_WINDOW, signal,
    check: (last) => footerError(job, last.toString('latin1')),
    failure: (message) => new BackupError('SOURCE_FAILED', `mysql "${asset.name}": ${message}`, { asset: asset.name }),
  });
  // The compressed stream's error (the dump's, first) becomes the verifier's; a destroyed verifier stops everything.
  compressed.once('error', (error) => verifier.destroy(error));
  verifier.once('close', () => compressed.destroy());
  verifier.once('end', () => { report.bytesRead = verifier.uncompressedBytes; });
  compressed.pipe(verifier);
  return { stream: verifier, report, ...(counted ? { progress: { read: () => counted.bytes, total: () => undefined } } : {}) };
}
