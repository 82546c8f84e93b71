// Tells people and monitors how a run went: every channel at once, each under its own time limit, and a
// channel that fails is a logged warning, never a change to the backup's own result.
import type { Config } from '../config/schema.js';
import { toBackupError } from '../shared/backup-error.js';
import type { Logger } from '../shared/logger.js';
import { describeEmailTransport } from './email-transport.js';
import { describeUrl } from './http-request.js';
import type { RunReport } from './run-report.js';
import { formatRunText, summarizeRun } from './run-summary.js';
import { sendPing, type PingEvent } from './send-ping.js';
import { sendWebhook } from './send-webhook.js';

/** Knobs for tests; production uses the defaults. */
export interface NotifyOptions {
  /** First retry delay of webhooks and pings, doubled per retry (default 1s). */
  retryBaseMs?: number;
}

const DEFAULT_RETRY_BASE_MS = 1_000;

/** Sends the start ping, if configured. Never throws; a failure is logged as a warning. */
export async function notifyStart(config: Config, logger: Logger, options: NotifyOptions = {}): Promise<void> {
  const ping = config.notify?.ping;
  if (ping?.start === undefined) return;
  await deliver(logger, `ping start (${describeUrl(ping.start)})`, () =>
    sendPing(ping, 'start', '', options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS),
  );
}

/**
 * Sends what `report` calls for, concurrently: webhook and email when their `when` matches (failure means
 * exit code ≠ 0), and the success or fail ping. Resolves when every channel has succeeded or given up.
 * Never throws; each failure is logged as a warning naming the channel and the cause (never a secret).
 */
export async function notifyFinished(
  report: RunReport,
  config: Config,
  logger: Logger,
  options: NotifyOptions = {},
): Promise<void> {
  const log = logger.child({ run_id: report.run_id });
  try {
    await Promise.all(channelsFor(report, config, log, options));
  } catch (error) {
    log.warn(`notify: cannot prepare notifications: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Starts every channel `report` calls for; each promise resolves when its channel is done or gave up. */
function channelsFor(report: RunReport, config: Config, log: Logger, options: NotifyOptions): Promise<void>[] {
  const notify = config.notify;
  if (notify === undefined) return [];
  const summary = summarizeRun(report);
  const retryBase = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
  const due = (when: 'failure' | 'always') => when === 'always' || !summary.ok;
  const jobs: Promise<void>[] = [];
  const { webhook, email, ping } = notify;
  if (webhook && due(webhook.when)) {
    jobs.push(deliver(log, `webhook (${describeUrl(webhook.url)})`, () => sendWebhook(webhook, summary, retryBase)));
  }
  if (email && due(email.when)) {
    // nodemailer (~15 MiB) is loaded only when a mail is actually due.
    jobs.push(
      deliver(log, `email (${describeEmailTransport(email)})`, async () =>
        (await import('./send-email.js')).sendEmail(email, summary, report),
      ),
    );
  }
  const event: PingEvent = summary.ok ? 'success' : 'fail';
  const url = ping?.[event];
  if (ping && url !== undefined) {
    jobs.push(
      deliver(log, `ping ${event} (${describeUrl(url)})`, () =>
        sendPing(ping, event, formatRunText(summary, report), retryBase),
      ),
    );
  }
  return jobs;
}

/**
 * For a run that ended in an error before it produced a report (another run holds the lock, an unknown
 * asset): notifies as a failed run whose reason is the error. Never throws.
 */
export async function notifyRunError(
  error: unknown,
  config: Config,
  logger: Logger,
  options: NotifyOptions = {},
): Promise<void> {
  const failure = toBackupError(error);
  const now = new Date().toISOString();
  const report: RunReport = {
    run_id: '-',
    host: config.host,
    tier: '-',
    started_at: now,
    finished_at: now,
    dry_run: false,
    status: 'failed',
    exit_code: failure.exitCode,
    artifacts: [],
    notes: [],
    error: failure.message,
  };
  await notifyFinished(report, config, logger, options);
}

/** Runs one channel; logs success at info and failure as a warning. Never throws. */
async function deliver(logger: Logger, channel: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
    logger.info(`notify: ${channel} sent`);
  } catch (error) {
    logger.warn(`notify: ${channel} failed: ${error instanceof Error ? error.message : String(error)}`, {
      channel: channel.split(' ')[0],
    });
  }
}
