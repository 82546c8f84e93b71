// Names the configured mail transport without loading it (nodemailer is loaded only to send).
import type { NotifyConfig } from '../config/schema.js';

/** The sendmail used when neither `sendmail` nor `smtp` is configured. */
export const DEFAULT_SENDMAIL = '/usr/sbin/sendmail';

/** `smtp HOST:PORT` or `sendmail PATH`, for log lines. */
export function describeEmailTransport(email: NonNullable<NotifyConfig['email']>): string {
  return email.smtp ? `smtp ${email.smtp.host}:${email.smtp.port}` : `sendmail ${email.sendmail ?? DEFAULT_SENDMAIL}`;
}
