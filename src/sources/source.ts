// The Source contract: every verb a kind of asset (files, mysql) has, in one object per source
// (sources/<type>/index.ts), found through sources/registry.ts. Nothing outside a source's folder
// branches on the asset type.
import type { Duplex, Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import type { CheckResult } from '../shared/check-result.js';
import type { ChildCommand } from '../shared/child-process.js';
import type { Logger } from '../shared/logger.js';
import type { BackupStore } from '../destinations/backup-store.js';
import type { Destination } from '../destinations/destination.js';
import type { CompressorPlan } from '../transforms/compress.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import type { DecryptorPlan } from '../transforms/decrypt.js';
import type { RemovedLeftover } from '../shared/owned-temp-dir.js';
import type { ArtifactRecord, BinlogRecord, IncrementalRecord, PhysicalRecord } from '../layout/manifest.js';

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
  /** Recorded in the artifact's manifest entry: its place in an incremental chain. */
  incremental?: IncrementalRecord;
  /** Recorded in the artifact's manifest entry: a physical backup's LSNs and binlog position. */
  physical?: PhysicalRecord;
  /** What the artifact holds, counted from the bytes streamed (for restore drills); absent when not counted. */
  contents?: SourceContents;
  /** Recorded in the artifact's manifest entry: where a dump stands in the binary log. */
  binlog?: BinlogRecord;
}

/**
 * What an artifact holds, as its source counted it while streaming: a dump's objects and rows per table,
 * an archive's members. Recorded in the manifest (`contents`); `drill` checks a restore against it.
 */
export interface SourceContents {
  tables?: number;
  views?: number;
  triggers?: number;
  routines?: number;
  events?: number;
  rows?: Record<string, number>;
  members?: number;
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
  compressorBlocked?: () => boolean;
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

/** What a source may use while planning, besides its asset: the run's facts. */
export interface PlanContext {
  /** The agent's state_dir: where a source keeps what it must remember between runs (a snapshot file), in a folder of its own. */
  stateDir: string;
  /** The run's start (the stamp in its keys). */
  now: Date;
  /** The run's retention tier (`daily`, `weekly`, ...). */
  tier: string;
  /** --dry-run: plan only; change no local state. */
  dryRun: boolean;
  /** Days each tier keeps its objects (`retention`): an incremental source keeps a full at least as long as its differentials. */
  retention?: Partial<Record<string, number>>;
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
  /**
   * Called only after the run's manifest listing this plan's artifacts was written (never for a failed,
   * interrupted or dry run): the moment a source may advance local state that later runs build on
   * (an incremental's snapshot), so a run that did not land never advances it. `records` are this
   * plan's artifacts as the manifest lists them (their keys and sha256: what a differential names as its base).
   */
  settle?(records: readonly ArtifactRecord[]): Promise<void>;
}

/** What every configured asset has; a source's own config adds to it. */
export interface AssetBase {
  name: string;
  type: string;
}

/** A flag of `restore` that one source reads (`--db-host <host>`): commander's syntax and help. */
export interface RestoreFlag {
  flags: string;
  description: string;
}

/** The parsed flags of `restore`: the common ones, and each source's own (camelCase keys, as commander gives them). */
export interface RestoreOptions {
  to?: string | undefined;
  intoDatabase?: string | undefined;
  force?: boolean | undefined;
  [flag: string]: string | boolean | undefined;
}

/** A stored artifact to restore, as the catalog lists it. */
export interface RestoreEntry {
  asset: string;
  /** The database of a dump; undefined for one-artifact assets. */
  label?: string | undefined;
  key: string;
  /** What the read checks against: the manifest's record (and, for drills, what it says the artifact holds). */
  record: {
    key: string;
    sha256?: string | undefined;
    bytes_stored: number;
    incremental?: IncrementalRecord | undefined;
    physical?: PhysicalRecord | undefined;
    bytes_read?: number | undefined;
    contents?: SourceContents | undefined;
  };
}

/** How a source reads its artifacts back; given by the read side (its store, decryptor and signal). */
export interface ArtifactReader {
  /**
   * Streams the checked plaintext of `entry` into `sinks`; the last may be a child's stdin (`{ stdin }`),
   * which a decompressor program then writes into directly. Rejects with the first cause; raises
   * INTEGRITY_FAILED only after the last byte, so sinks must remove their output on any rejection.
   */
  stream(entry: RestoreEntry, ...sinks: (Duplex | Writable | { stdin: Writable })[]): Promise<void>;
  /** Where an object is, for messages: `s3://bucket/key`. */
  locate(key: string): string;
  signal: AbortSignal;
}

/** One restore: the artifacts of one run of one asset of this source's type. */
export interface RestoreRequest {
  entries: RestoreEntry[];
  read: ArtifactReader;
  /** The asset of that name in this host's config, if it has one (its connection settings, for a database restore). */
  configured: AssetBase | undefined;
  options: RestoreOptions;
  /** One line per restored artifact (`restored files "www" of host ... into DIR`). */
  report: (entry: RestoreEntry, where: string) => void;
  /** A warning the operator should see (metadata that could not be set). */
  warn: (message: string) => void;
}

/** A stored artifact as `restore --until` chooses among them: with its run's times and binlog position. */
export interface UntilEntry extends RestoreEntry {
  /** The run's start and end (ISO). */
  started_at: string;
  finished_at: string;
  /** Of a dump: where its snapshot stands in the binary log. */
  binlog?: BinlogRecord | undefined;
}

/** One restore to a point in time (`restore --until TIME`): a dump, then the shipped binary log. */
export interface UntilRequest {
  /** The asset's stored artifacts of this host, newest run first (the source picks the dump). */
  entries: UntilEntry[];
  /** TIME as the operator wrote it. */
  until: string;
  read: ArtifactReader;
  /** The read side itself, the key prefix and the host: where the source finds what it shipped besides runs. */
  store: BackupStore;
  prefix: string;
  host: string;
  decryptor: DecryptorPlan | undefined;
  /** The asset of that name in this host's config, if any, and every configured asset (to find its stream). */
  configured: AssetBase | undefined;
  assets: readonly AssetBase[];
  options: RestoreOptions;
  /** --dry-run: print the plan, write nothing. */
  dryRun: boolean;
  /** A line of the plan or the outcome, for stdout. */
  print(line: string): void;
  warn(message: string): void;
}

/** One restore drill: the artifacts of one run of one asset, restored into a throwaway target and checked. */
export interface DrillRequest {
  entries: RestoreEntry[];
  read: ArtifactReader;
  /** A private empty directory the drill may use; the caller removes it afterwards. */
  scratch: string;
}

/** What a drill found: `problems` empty means it passed. */
export interface DrillOutcome {
  /** What was checked and held (`sha256 ok`, `412 rows in 3 tables as recorded`). */
  checks: string[];
  /** What did not hold, each naming the object or table. */
  problems: string[];
  /** Seconds the restore itself took (no throwaway server start): the recovery-time figure. */
  restoreSeconds: number;
}

/** A check of an artifact's plaintext beyond its size and sha256, for `verify` (the dump's footer). */
export interface PlaintextCheck {
  /** Put in the read pipeline; passes every byte on. */
  stage: Duplex;
  /** After the read: the problem (as a message naming `where`), or undefined. */
  problem(where: string, asset: string): string | undefined;
  /** What a passed check adds to the verdict: `dump footer present`. */
  passed: string;
}

/** One privilege a database account needs, where, and what happens without it (`policy --mysql`, `check`). */
export interface NeededPrivilege {
  /** As GRANT spells it: `SELECT`, `SHOW VIEW`. */
  privilege: string;
  /** As GRANT spells it: `*.*`, `` `shop`.* `` (LIKE wildcards escaped), `` `mysql`.`proc` ``. */
  on: string;
  /** Why the backup needs it. */
  why: string;
  /** Without it: `fails` (the dump exits non-zero) or `silent` (objects left out of a dump that exits 0). */
  without: 'fails' | 'silent';
}

/** A database account an asset's backups log in as, with the privileges they need. */
export interface AccountGrants {
  /** `'backup'@'localhost'`, as SQL. */
  account: string;
  privileges: NeededPrivilege[];
  /** CREATE USER and GRANT statements giving exactly `privileges`; the password is a marked placeholder, never a secret. */
  statements: string[];
  /** What the operator should know (how the user and host were chosen). */
  notes: string[];
}

/** What `grants` is asked for. */
export interface GrantsOptions {
  /** The host part of the account (`--account-host`); the source picks one from the connection when absent. */
  accountHost?: string | undefined;
}

/** A dump that recorded where it stands in the binary log, as a run manifest lists it (where a replay starts). */
export interface PositionedDump {
  host: string;
  asset: string;
  label?: string | undefined;
  /** The run's start (ISO). */
  started_at: string;
  key: string;
  binlog: BinlogRecord;
}

/** An object of a stream (no run manifest lists it), as the stream's own manifest records it. */
export interface StreamObject {
  key: string;
  bytes_stored: number;
  /** The decompressed bytes' size and sha256 (hex). */
  plaintext: { sha256: string; bytes: number };
}

/** What `verify` gives a source that stores streams of its own beside the runs (binlog series). */
export interface StreamVerifyRequest {
  /** Read access with the operator's credentials: list, stat, open. */
  store: BackupStore;
  prefix: string;
  /** Only this host / asset, when `verify` was asked for one. */
  host?: string | undefined;
  asset?: string | undefined;
  /** The dumps of the verify window that recorded a binlog position, oldest first. */
  dumps: PositionedDump[];
  /**
   * Streams the checked plaintext of `object` into `sinks` (the read pipeline of every artifact: download,
   * stored size, decryption, decompression). Rejects with INTEGRITY_FAILED when the plaintext's size or
   * sha256 differs, after the last byte; DESTINATION_NOT_FOUND, DECRYPT_FAILED, RESTORE_FAILED as a read does.
   */
  read(object: StreamObject, ...sinks: Writable[]): Promise<void>;
  signal: AbortSignal;
}

/** `verify`'s verdict on one stream (a binlog series). */
export interface StreamVerdict {
  host: string;
  asset: string;
  /** What kind of stream it is, for messages: `binlog series`. */
  kind: string;
  /** The stream's name within the asset (a series). */
  stream: string;
  ok: boolean;
  /** What was checked and found (`12 segments ... sha256 match`), or what is wrong, naming the file and bytes. */
  message: string;
  /** The time a restore can reach with this stream: from the oldest dump it can replay onto, to its last event (ISO). */
  window?: { from?: string; dump?: string; to?: string };
}

/** What a long-running source (`backup-agent binlog`) is given: where and how to store, where to remember. */
/** A stream's health for `status`: when it was last caught up, and whether that is recent enough. */
export interface StreamStatus {
  /** ISO time it was last caught up (everything the server sent was stored); absent when it never was. */
  caught_up_at?: string;
  behind_seconds?: number;
  healthy: boolean;
  /** One line for people: `caught up 0m ago at binlog.000003 byte 1234`. */
  detail: string;
}

export interface FollowContext {
  destination: Destination;
  compressor: CompressorPlan;
  encryptor: EncryptorPlan;
  /** The destination's key prefix and this host's name (keys are `{prefix}...{host}/...`). */
  prefix: string;
  host: string;
  /** The agent's state_dir (a source keeps its position in a folder of its own). */
  stateDir: string;
  logger: Logger;
  /** Aborted by SIGINT/SIGTERM: ship what is there, then resolve. */
  signal: AbortSignal;
  /** Called after each shipping round: when the stream was last caught up, and when a segment last landed (epoch ms). */
  progress?(asset: string, progress: { caughtUpAt: number; shippedAt?: number }): void;
}

/**
 * A kind of asset: everything the agent does that depends on the asset's type. Adding a source is one
 * folder exporting one of these and one line in sources/registry.ts.
 */
export interface Source<A extends AssetBase = AssetBase> {
  /** The asset `type` it handles, in the config and in manifests. */
  readonly type: string;
  /** Its fragment of the config schema: one entry of `assets`, a strict object with `type` as a literal; every key described with an example. */
  readonly schema: z.ZodType<A>;
  /** Rules across keys of one raw asset, run even when the schema found problems: [key, message] pairs. */
  rules?(asset: Record<string, unknown>): [string, string][];
  /** Resolves one asset into its artifacts (SourcePlan); throws BackupError when nothing can be backed up. */
  plan(asset: A, signal: AbortSignal, context: PlanContext): Promise<SourcePlan>;
  /** How many of one asset's artifacts stream at once. */
  concurrency(asset: A): number;
  /** `check`: the tools the configured assets of this type need, checked once (GNU tar); before the assets. */
  checkTools?(assets: A[], signal: AbortSignal): Promise<CheckResult[]>;
  /** `policy --mysql`: the accounts an asset logs in as and their least privileges (database sources only). */
  grants?(asset: A, options: GrantsOptions): Promise<AccountGrants[]>;
  /** `check`: one asset, the way a backup would use it. Never throws. */
  checkAsset(asset: A, signal: AbortSignal): Promise<CheckResult>;
  /** The secret files an asset reads, with how messages name them (checked for private modes by check, run and validate). */
  secretFiles(asset: A): { label: string; path: string }[];
  /** The asset with its relative paths resolved against `abs` (the config file's folder). */
  resolvePaths(asset: A, abs: (path: string) => string): A;
  /** Leftovers of a killed run removed before a run starts (a credentials file in /dev/shm); returns what was removed. */
  sweep?(): Promise<RemovedLeftover[]>;
  /** The flags `restore` takes for this source besides --to and --force. */
  readonly restoreFlags: RestoreFlag[];
  /** Restores the artifacts of one run. Throws BackupError (USAGE for flags that do not fit, RESTORE_*). */
  restore(request: RestoreRequest): Promise<void>;
  /** `restore --until TIME`: a dump and the shipped binary log up to TIME (sources with a log only). Throws BackupError. */
  restoreUntil?(request: UntilRequest): Promise<void>;
  /** `drill`: restores one run into a throwaway target and checks it against the manifest. Throws only when the drill could not run at all. */
  drill?(request: DrillRequest): Promise<DrillOutcome>;
  /** For `verify`: a check of the plaintext, if this source's artifacts have one. */
  plaintextCheck?(): Promise<PlaintextCheck>;
  /** `verify`: checks the streams this source stores outside run manifests (binlog series); never throws but on abort. */
  verifyStreams?(request: StreamVerifyRequest): Promise<StreamVerdict[]>;
  /** `backup-agent binlog`: follows the asset until `context.signal` aborts (a stream, not a run); throws BackupError when it cannot go on. */
  follow?(asset: A, context: FollowContext): Promise<void>;
  /** `status` of a followed asset (it has no runs): how far behind the stream is, from its state in `stateDir`. */
  streamStatus?(asset: A, stateDir: string, now: Date): Promise<StreamStatus>;
}
