// The notification mail as data, and its RFC 5322 text for sendmail (nodemailer's composer does the MIME encoding).
import MailComposer from 'nodemailer/lib/mail-composer';
import type { NotifyConfig } from '../config/schema.js';
import type { RunReport } from './run-report.js';
import { formatRunText, type RunSummary } from './run-summary.js';

export type EmailConfig = NonNullable<NotifyConfig['email']>;

/** One plain-text mail. */
export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/** Builds the mail for `report` (pure): subject `[backup-agent] HOST: STATUS (n of m assets)`, body {@link formatRunText}. */
export function emailMessage(email: EmailConfig, summary: RunSummary, report: RunReport): EmailMessage {
  return {
    from: email.from ?? `backup-agent@${summary.host}`,
    to: email.to,
    subject: summary.subject,
    text: formatRunText(summary, report),
    // RFC 3834: tells auto-responders (vacation replies) not to answer.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** Renders `message` as a complete RFC 5322 message (headers, Date, Message-ID, encoded body). Throws on an invalid address. */
export async function renderEmail(message: EmailMessage): Promise<Buffer> {
  return new MailComposer(message).compile().build();
}
