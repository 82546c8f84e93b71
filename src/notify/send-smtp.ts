// Mail straight to a relay over SMTP, for hosts without a local MTA.
// nodemailer: the de-facto Node SMTP client (maintained since 2010, no runtime dependencies, ships its own
// types); it does STARTTLS enforcement (requireTLS), AUTH and MIME, which we should not hand-roll.
import { readFile } from 'node:fs/promises';
import { createTransport } from 'nodemailer';
import type { EmailConfig, EmailMessage } from './email-message.js';

export type SmtpConfig = NonNullable<EmailConfig['smtp']>;

/**
 * Sends `message` through `smtp.host:port`: TLS from the start on port 465, otherwise STARTTLS, required when
 * `starttls` (the mail is not sent if the server doesn't offer it or the certificate does not verify; with
 * `ca_file`, only that CA is trusted). AUTH with `user` and the first line of `password_file`.
 * Throws an Error whose message never contains the password.
 */
export async function sendViaSmtp(smtp: SmtpConfig, message: EmailMessage, timeoutMs: number): Promise<void> {
  const password = smtp.password_file ? await readConfigFile('password_file', smtp.password_file) : undefined;
  if (password !== undefined && smtp.user === undefined)
    throw new Error('smtp.password_file is set but smtp.user is not');
  if (smtp.user !== undefined && password === undefined)
    throw new Error('smtp.user is set but smtp.password_file is not');
  const ca = smtp.ca_file ? await readConfigFile('ca_file', smtp.ca_file, false) : undefined;
  const secure = smtp.port === 465;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure,
    requireTLS: smtp.starttls && !secure,
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: password } } : {}),
    tls: { ...(ca !== undefined ? { ca } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({ ...message, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    // eslint-disable-next-line preserve-caught-error -- the SMTP error may quote the password: only the redacted text goes on
    throw new Error(redact(describeSmtpError(error, timeoutMs), password));
  } finally {
    transport.close();
  }
}

async function readConfigFile(label: string, path: string, firstLine = true): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read smtp.${label} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  return firstLine ? (text.split(/\r?\n/)[0] ?? '') : text;
}

function describeSmtpError(error: unknown, timeoutMs: number): string {
  const e = error as { code?: string; message?: string; name?: string };
  if (e.name === 'AbortError' || e.code === 'EABORT') return `timed out after ${timeoutMs / 1000}s`;
  const message = (e.message ?? String(error)).replace(/\s+/g, ' ').trim();
  return e.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** Removes the password from a message, in case a server echoes it back. */
function redact(text: string, password: string | undefined): string {
  return password ? text.split(password).join('[redacted]') : text;
}
