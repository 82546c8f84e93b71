// The destinations of one run: one, or several fed by one fan-out (a second copy). With several, each
// destination gets its own manifest listing what landed there, and the run is `partial` (exit 3),
// naming the destination, when one of them misses something the others have.
import { destinationsOf } from '../config/destinations.js';
import type { Config } from '../config/schema.js';
import { createDestination } from '../destinations/create-destination.js';
import type { Destination } from '../destinations/destination.js';
import { createFanOutDestination, type FanOutDestination } from '../destinations/fan-out-destination.js';
import type { KeyContext } from '../layout/keys.js';
import type { ArtifactRecord } from '../layout/manifest.js';
import type { DestinationOutcome, RunReport } from '../notify/run-report.js';
import { toBackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import { writeManifest } from './write-manifest.js';

/** Where a run writes: the Destination its artifacts go to, and the fan-out behind it when there are several. */
export interface RunDestinations {
  destination: Destination;
  fanOut?: FanOutDestination;
}

/** The run's destinations from `config` (or `override`, a test's single destination). */
export function openRunDestinations(config: Config, logger: Logger, override?: Destination): RunDestinations {
  if (override) return { destination: override };
  const all = destinationsOf(config);
  const [only] = all;
  if (only && all.length === 1) return { destination: createDestination(only, logger) };
  const fanOut = createFanOutDestination(
    all.map((d) => ({
      name: d.name,
      prefix: d.prefix,
      destination: createDestination(d, logger.child({ destination: d.name })),
    })),
    { lagTimeoutMs: config.stall_timeout / 2, logger },
  );
  return { destination: fanOut, fanOut };
}

/**
 * Decides the run's status and writes the manifest(s): with one destination as always; with several,
 * one manifest per destination (in parallel), then the run's status from theirs (see combine).
 */
export async function writeManifests(
  report: RunReport,
  ctx: KeyContext,
  run: RunDestinations,
  encryptor: EncryptorPlan,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  const { fanOut } = run;
  if (!fanOut) return writeManifest(report, ctx, run.destination, encryptor, signal, logger);
  const outcomes = await Promise.all(
    fanOut.targets.map(async (target, index): Promise<DestinationOutcome> => {
      const copy: RunReport = { ...report, artifacts: recordsAt(report.artifacts, fanOut, index), notes: [] };
      const failed = copy.artifacts.filter((a, i) => a.status === 'failed' && report.artifacts[i]?.status !== 'failed');
      const log = logger.child({ destination: target.name });
      await writeManifest(copy, { ...ctx, prefix: target.prefix }, target.destination, encryptor, signal, log);
      return {
        name: target.name,
        location: target.destination.locate(target.prefix),
        status: copy.status === 'planned' ? 'failed' : copy.status,
        exit_code: copy.exit_code,
        missing: failed.length,
        ...(copy.manifest_key ? { manifest_key: copy.manifest_key } : {}),
        ...errorOf(copy.error ?? failed[0]?.error?.replace(`destination "${target.name}": `, '')),
      };
    }),
  );
  combine(report, outcomes);
}

const errorOf = (error: string | undefined) => (error ? { error } : {});

/** Whether every destination holds every artifact the run stored, with its manifest. */
export function allCopiesStored(report: RunReport): boolean {
  return (report.destinations ?? []).every((d) => d.manifest_key !== undefined && d.missing === 0);
}

/** The records as destination `index` has them: its keys and locations; failed where its copy failed. */
function recordsAt(records: ArtifactRecord[], fanOut: FanOutDestination, index: number): ArtifactRecord[] {
  const target = fanOut.targets[index];
  if (!target) throw new Error(`no destination ${index}`);
  return records.map((record) => {
    if (record.key === '') return record;
    const key = fanOut.keyAt(record.key, index);
    const at = { ...record, key, location: target.destination.locate(key) };
    const failure = fanOut.failures(record.key).find((f) => f.name === target.name);
    if (!failure || record.status === 'failed') return at;
    const { sha256: _sha256, contents: _contents, ...rest } = at;
    const message = toBackupError(failure.error).message;
    return { ...rest, status: 'failed', bytes_stored: 0, error: `destination "${target.name}": ${message}` };
  });
}

/**
 * The run's status from its destinations': stopped (interrupt, max_run_time) as it was; ok when all
 * are ok; partial (exit 3) when any destination recorded a backup; else failed. The error names each
 * destination that is not ok.
 */
function combine(report: RunReport, outcomes: DestinationOutcome[]): void {
  report.destinations = outcomes;
  const stopped = outcomes.find((o) => o.status === 'interrupted' || o.status === 'timed_out');
  const recorded = outcomes.filter((o) => o.manifest_key !== undefined);
  if (stopped) {
    report.status = stopped.status;
    report.exit_code = stopped.exit_code;
  } else if (outcomes.every((o) => o.status === 'ok')) {
    report.status = 'ok';
    report.exit_code = ExitCode.OK;
  } else {
    report.status = recorded.length > 0 ? 'partial' : 'failed';
    report.exit_code = recorded.length > 0 ? ExitCode.PARTIAL : ExitCode.FAILED;
  }
  const manifest = recorded[0]?.manifest_key;
  if (manifest) report.manifest_key = manifest;
  const errors = outcomes
    // Named: a destination that lacks what others have (a failure of the source is in the artifacts' errors).
    .filter((o) => o.error && (o.missing > 0 || (o.manifest_key === undefined && recorded.length > 0)))
    .map(
      (o) => `destination "${o.name}" ${o.status}${o.missing ? ` (${o.missing} artifact(s) missing)` : ''}: ${o.error}`,
    );
  // A stopped run says why once (max_run_time's message is the same at every destination).
  const reasons = [...(stopped?.error && stopped.missing === 0 ? [stopped.error] : []), ...errors];
  if (reasons.length > 0) report.error = reasons.join('; ');
}
