// The email channel: picks SMTP when configured, else the local sendmail, and says which one in messages.
import { emailMessage, type EmailConfig } from './email-message.js';
import { DEFAULT_SENDMAIL } from './email-transport.js';
import type { RunReport } from './run-report.js';
import type { RunSummary } from './run-summary.js';
import { sendViaSendmail } from './send-sendmail.js';
import { sendViaSmtp } from './send-smtp.js';

/** How long handing one mail over may take (sendmail queues locally; a relay may be slow). */
export const EMAIL_TIMEOUT_MS = 60_000;

/**
 * Mails the run's summary to `email.to` through SMTP if `email.smtp` is set, otherwise through
 * `email.sendmail` (default /usr/sbin/sendmail). Throws as sendViaSmtp / sendViaSendmail.
 */
export async function sendEmail(
  email: EmailConfig,
  summary: RunSummary,
  report: RunReport,
  timeoutMs = EMAIL_TIMEOUT_MS,
): Promise<void> {
  const message = emailMessage(email, summary, report);
  if (email.smtp) await sendViaSmtp(email.smtp, message, timeoutMs);
  else await sendViaSendmail(email.sendmail ?? DEFAULT_SENDMAIL, message, timeoutMs);
}
