// Reads and checks age recipients when the run is planned, so a typo fails before any byte is read, not mid-backup.
import { readFile } from 'node:fs/promises';
import { Encrypter } from 'age-encryption';
import { BackupError } from '../shared/backup-error.js';

/** Where a recipient came from, for messages: `age_recipients_file /etc/keys line 3` or `age_recipients[1]`. */
export type RecipientOrigin = string;

/**
 * Returns why `text` cannot be used as a recipient, or undefined when it is an age X25519
 * recipient (`age1` + 58 characters, as printed by `age-keygen`). The recipient is parsed by
 * age-encryption, so a wrong checksum or length is caught too. Post-quantum (`age1pq1...`),
 * tag and plugin (`age1yubikey1...`) recipients are refused: Debian's age 1.1.1 cannot encrypt
 * to them, and backups must decrypt with a stock `age` binary.
 */
export function recipientProblem(text: string): string | undefined {
  if (/^age-secret-key-/i.test(text))
    return 'this is a secret key (AGE-SECRET-KEY-...), not a recipient; put its public key (age-keygen -y) here and keep the secret key off this host';
  if (/^ssh-|^ecdsa-/.test(text))
    return 'SSH public keys are not supported as recipients; use an age1... X25519 recipient from age-keygen';
  // X25519 recipients are exactly 62 characters; a longer HRP (age1pq1..., age1yubikey1...) is another kind.
  if (text.startsWith('age1') && text.length !== 62 && text.includes('1', 4)) {
    const kind = text.slice(0, text.lastIndexOf('1'));
    const what = kind === 'age1pq' || kind === 'age1tagpq' ? 'post-quantum' : kind === 'age1tag' ? 'tag' : 'plugin';
    return `${kind}... is a ${what} recipient, which is unsupported: only X25519 recipients (age1... from age-keygen) work with the age 1.1.1 binary`;
  }
  if (!/^age1[0-9a-z]{58}$/.test(text))
    return 'an X25519 recipient is "age1" followed by 58 lower-case letters and digits';
  try {
    new Encrypter().addRecipient(text);
    return undefined;
  } catch (error) {
    return `${(error as Error).message.replace(` in ${text}`, '')} (mistyped or truncated?)`;
  }
}

/** What may be quoted back: recipients are public, but a pasted secret key must never reach a log. */
function quoted(text: string): string {
  if (/^age-secret-key-/i.test(text)) return '"AGE-SECRET-KEY-..." (not shown)';
  return JSON.stringify(text.length > 90 ? `${text.slice(0, 87)}...` : text);
}

/** Throws CONFIG_INVALID naming `origin` unless `text` is a usable recipient. */
function check(text: string, origin: RecipientOrigin): string {
  const problem = recipientProblem(text);
  if (problem !== undefined)
    throw new BackupError(
      'CONFIG_INVALID',
      `encryption: ${origin}: ${quoted(text)} is not an age recipient: ${problem}`,
    );
  return text;
}

/**
 * Parses the text of a recipients file: one recipient per line; blank lines and lines starting
 * with `#` are ignored, surrounding whitespace is trimmed. Returns the recipients in order.
 * Throws CONFIG_INVALID `encryption: age_recipients_file PATH line N: "..." is not an age recipient: why`.
 */
export function parseRecipientsFile(text: string, path: string): string[] {
  const recipients: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    recipients.push(check(line, `age_recipients_file ${path} line ${index + 1}`));
  });
  return recipients;
}

/**
 * Collects the recipients of `age_recipients` and `age_recipients_file`, each checked, without
 * duplicates. Returns an empty list when neither is set. Throws CONFIG_INVALID for an unreadable
 * file, a file without recipients, or any invalid recipient.
 */
export async function loadRecipients(encryption: {
  age_recipients?: string[] | undefined;
  age_recipients_file?: string | undefined;
}): Promise<string[]> {
  const recipients = (encryption.age_recipients ?? []).map((r, i) => check(r.trim(), `age_recipients[${i}]`));
  const path = encryption.age_recipients_file;
  if (path !== undefined) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new BackupError(
        'CONFIG_INVALID',
        `encryption: age_recipients_file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { cause: error },
      );
    }
    const fromFile = parseRecipientsFile(text, path);
    if (fromFile.length === 0)
      throw new BackupError(
        'CONFIG_INVALID',
        `encryption: age_recipients_file ${path}: contains no recipients (one age1... per line)`,
      );
    recipients.push(...fromFile);
  }
  return [...new Set(recipients)];
}
