// Mail through the local MTA, as cron's MAILTO does: `sendmail -oi -t` reads recipients from the headers.
import { describeExit, runChild, tail } from '../shared/child-process.js';
import { renderEmail, type EmailMessage } from './email-message.js';

/** Where sendmail is looked for when neither `sendmail` nor `smtp` is configured. */

/**
 * Pipes the rendered message into `path -oi -t` (no shell; `-oi` so a lone "." line doesn't end it).
 * Resolves when sendmail exited 0 (the MTA has queued the mail). Throws an Error naming the program and
 * its exit code and stderr tail, that it was not found, or that it ran past `timeoutMs`.
 */
export async function sendViaSendmail(path: string, message: EmailMessage, timeoutMs: number): Promise<void> {
  const raw = await renderEmail(message);
  const result = await runChild(path, ['-oi', '-t'], {
    env: 'operator',
    input: raw,
    timeout: timeoutMs,
    forceKillAfterDelay: 2_000,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (result.exitCode === 0 && !result.failed) return;
  const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT')
    throw new Error(`${path} not found (install an MTA such as postfix or msmtp-mta, or set notify.email.smtp)`);
  if (code === 'EACCES') throw new Error(`${path} is not executable`);
  if (result.timedOut) throw new Error(`${path} did not finish within ${timeoutMs / 1000}s`);
  const how = describeExit(result);
  const stderr = tail(String(result.stderr ?? ''));
  throw new Error(`${path} ${how}${stderr ? `: ${stderr}` : ''}`);
}
