// writeManifest, the end of a run's write path (called by writeRun for each destination): decides the
// status and exit code from the artifacts' records, then writes the manifest last, when anything was stored.
import { pipeline, Readable } from 'node:stream';
import type { Destination } from '../destinations/destination.js';
import { manifestKey, type KeyContext } from '../layout/keys.js';
import { buildManifest } from '../layout/manifest.js';
import type { RunReport } from '../notify/run-report.js';
import { toBackupError } from '../shared/backup-error.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { Logger } from '../shared/logger.js';
import type { EncryptorPlan } from '../transforms/encryptor-plan.js';
import { timedOut } from './run-deadline.js';

/** How long a manifest write may take after the run was interrupted. */
const MANIFEST_GRACE_MS = 30_000;
/**
 * How long a failed run waits for a signal already on its way before judging the failure. A signal sent
 * to the whole process group (`timeout`, Ctrl-C, systemd's control-group kill) can kill a child a moment
 * before the agent's own handler runs; without this wait such a run would be called `partial`, not
 * `interrupted` (measured: 7 ms apart under CI load).
 */
const SIGNAL_SETTLE_MS = 300;

/** Decides status and exit code, then writes the manifest when anything was stored. */
export async function writeManifest(
  report: RunReport,
  ctx: KeyContext,
  destination: Destination,
  encryptor: EncryptorPlan,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  if (!signal.aborted && report.artifacts.some((a) => a.status === 'failed')) await settle(signal, SIGNAL_SETTLE_MS);
  const stored = report.artifacts.filter((a) => a.status === 'ok' || a.status === 'partial');
  const allOk = report.artifacts.length > 0 && report.artifacts.every((a) => a.status === 'ok');
  const stopped = signal.aborted ? (timedOut(signal) ? 'timed_out' : 'interrupted') : undefined;
  const stoppedExit = stopped === 'timed_out' ? ExitCode.TIMED_OUT : ExitCode.INTERRUPTED;
  report.status = stopped ?? (allOk ? 'ok' : stored.length > 0 ? 'partial' : 'failed');
  report.exit_code = stopped
    ? stoppedExit
    : allOk
      ? ExitCode.OK
      : stored.length > 0
        ? ExitCode.PARTIAL
        : ExitCode.FAILED;
  if (stopped === 'timed_out')
    report.error = `${(signal.reason as Error).message}: the run was stopped; unfinished artifacts were abandoned, finished ones are in the manifest`;
  if (stored.length === 0) return;
  const key = manifestKey(ctx) + (encryptor.extension ? `.${encryptor.extension}` : '');
  report.finished_at = new Date().toISOString();
  const manifest = buildManifest({
    run_id: report.run_id,
    host: report.host,
    tier: report.tier,
    started_at: report.started_at,
    finished_at: report.finished_at,
    status: report.status,
    artifacts: report.artifacts,
  });
  // After an interrupt the finished artifacts still deserve their manifest: give it a short grace period.
  const manifestSignal = signal.aborted ? AbortSignal.timeout(MANIFEST_GRACE_MS) : signal;
  try {
    const json = Readable.from([Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]);
    const encrypt = encryptor.create(manifestSignal);
    const body = encrypt ? pipeline(json, encrypt, () => undefined) : json;
    await destination.write(key, body, {
      signal: manifestSignal,
      contentType: encrypt ? 'application/octet-stream' : 'application/json',
    });
    report.manifest_key = key;
    logger.info(`manifest written to ${destination.locate(key)}`, { key });
  } catch (error) {
    report.error = `${report.error ? `${report.error}; ` : ''}manifest ${destination.locate(key)}: ${toBackupError(error).message}; the artifacts of this run are not recorded`;
    report.status = 'failed';
    report.exit_code = stopped ? stoppedExit : ExitCode.FAILED;
    logger.error(report.error, { key });
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function settle(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
