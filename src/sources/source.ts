// The Source contract: what every kind of asset (files, mysql) gives the pipeline.
import type { Readable } from 'node:stream';
import type { ChildCommand } from '../shared/child-process.js';

/** A path that was left out of a backup (or stored inconsistent), and why. */
export interface SkippedPath {
  /** In reports and plans as shown (file-names.ts displayFileName: `caf\xe9.txt`); decoded where the walker and tar's parser report it. */
  path: string;
  reason: string;
}

/** What a source learned while streaming: skipped files and non-fatal warnings. */
export interface SourceReport {
  skipped: SkippedPath[];
  warnings: SkippedPath[];
  /** Skipped/warning entries beyond the listed ones (lists are capped to keep manifests small). */
  omitted: number;
  /** Uncompressed bytes produced, when the source counted them itself (see openCompressed). */
  bytesRead?: number;
}

/** Asked of a source when a progress display is shown. */
export interface OpenOptions {
  /** Count bytes read and estimate the total while streaming (costs a little: shown on a TTY only). */
  progress?: boolean;
}

/** Live counters of a source that knows more than the bytes passing through Node. */
export interface SourceProgress {
  /** Uncompressed bytes produced so far (e.g. tar's checkpoints when tar writes straight into zstd). */
  read(): number | undefined;
  /** Expected total of read(), once known; undefined while unknown or for sources without one. */
  total(): number | undefined;
}

/** One open stream of one artifact. */
export interface SourceStream {
  /** The artifact's bytes. Ends only when they are complete; errors otherwise. */
  stream: Readable;
  /** What happened; complete once `stream` has ended or errored. */
  report: SourceReport;
  /** Present when the source can say more than the bytes it emits (tar's checkpoints, the dump's bytes). */
  progress?: SourceProgress;
  /** For a source feeding a compressor through Node: true while data waits at the compressor's input (for stall reports). */
  compressorBlocked?(): boolean;
}

/** One artifact of an asset (a files asset has one; a mysql asset has one per database). */
export interface SourceItem {
  /** Distinguishes artifacts of one asset in keys (a database name); undefined for one-artifact assets. */
  label?: string;
  /** File extension before compression, e.g. `tar`, `sql`. */
  extension: string;
  /** Starts producing the artifact. */
  open(signal: AbortSignal, options?: OpenOptions): SourceStream;
  /**
   * Optional: starts producing the artifact already compressed by `command`, a compressor child the
   * source feeds itself: tar writes straight into its stdin (a kernel pipe: Node never sees the
   * archive); a dump is passed through Node to check its footer. The stream ends only if both
   * children exited well; the report's bytesRead is the uncompressed size.
   */
  openCompressed?(signal: AbortSignal, command: ChildCommand, options?: OpenOptions): SourceStream;
}

/** What an asset resolves to before anything is read. */
export interface SourcePlan {
  items: SourceItem[];
  /** Human-readable facts for --dry-run (resolved paths, tools used). */
  notes: string[];
  /** Configured paths that do not exist or cannot be read, found while planning. */
  skipped: SkippedPath[];
  /** Releases what planning acquired (e.g. a credentials file); called once all items ran. */
  dispose?(): Promise<void>;
}

/** An asset that can be backed up. */
export interface Source {
  readonly name: string;
  readonly type: string;
  /** Resolves the asset; throws BackupError when nothing can be backed up. */
  plan(signal: AbortSignal): Promise<SourcePlan>;
}
