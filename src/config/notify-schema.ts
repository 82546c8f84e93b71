// The `notify` section of config.yml: mail, webhook and health-check pings, each key with its
// description and an example.
import { z } from 'zod';
import { doc, duration, httpUrl } from './schema-values.js';

const when = () => z.enum(['failure', 'always']).default('failure');
const text = () => z.string().min(1);

const smtpSchema = z
  .strictObject({
    host: text().meta(doc('SMTP server', 'smtp.example.com')),
    port: z.number().int().min(1).max(65535).default(587).meta(doc('SMTP port (465: TLS from the start)', 587)),
    starttls: z.boolean().default(true).meta(doc('require STARTTLS (port 465 implies TLS from the start)', true)),
    user: text().optional().meta(doc('SMTP user', 'backup-agent')),
    password_file: text()
      .optional()
      .meta(doc('file (mode 0600) whose first line is the SMTP password', '/etc/backup-agent/smtp-password')),
    ca_file: text()
      .optional()
      .meta(doc('PEM bundle of a private CA for the SMTP server', '/etc/backup-agent/smtp-ca.pem')),
  })
  .optional()
  .meta(doc('send through this SMTP server instead of sendmail'));

const emailSchema = z
  .strictObject({
    to: z
      .array(z.email())
      .min(1)
      .meta(doc('recipients, e.g. a group address', ['ops@example.com'])),
    from: z
      .string()
      .min(3)
      .optional()
      .meta(doc('sender; default backup-agent@HOST', 'backup-agent@web-01.example.com')),
    when: when().meta(doc('failure: mail only when a run fails; always: after every run', 'failure')),
    sendmail: text()
      .optional()
      .meta(
        doc(
          'path of sendmail (what cron MAILTO users have); default when smtp is not set: /usr/sbin/sendmail',
          '/usr/sbin/sendmail',
        ),
      ),
    smtp: smtpSchema,
  })
  .optional()
  .meta(doc('mail a report of the run'));

const webhookSchema = z
  .strictObject({
    url: httpUrl().meta(
      doc(
        'URL that receives one JSON POST per run: a Slack-style text line plus host, status, exit code, run id and per-asset results',
        'https://hooks.slack.com/services/T000/B000/XXXX',
      ),
    ),
    when: when().meta(doc('failure: post only when a run fails; always: after every run', 'always')),
    timeout: duration(1_000, 300_000).default(10_000).meta(doc('bound of one attempt', '10s')),
    retries: z.number().int().min(0).max(10).default(3).meta(doc('attempts after the first one fails', 3)),
  })
  .optional()
  .meta(doc("post the run's result to a URL"));

const pingSchema = z
  .strictObject({
    start: httpUrl().optional().meta(doc('URL requested when a run starts', 'https://hc-ping.com/UUID/start')),
    success: httpUrl().optional().meta(doc('URL requested when a run succeeds', 'https://hc-ping.com/UUID')),
    fail: httpUrl().optional().meta(doc('URL requested when a run fails', 'https://hc-ping.com/UUID/fail')),
    timeout: duration(1_000, 300_000).default(10_000).meta(doc('bound of one ping', '10s')),
  })
  .optional()
  .meta(doc('healthchecks-style URLs pinged at start, success and failure (a dead-man switch)'));

export const notifySchema = z
  .strictObject({ email: emailSchema, webhook: webhookSchema, ping: pingSchema })
  .meta(doc("where a person learns of a failure; the backup's own result always wins over a failed notification"));
