import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../shared/backup-error.js';
import { loadRecipients, parseRecipientsFile, recipientProblem } from './age-recipients.js';

let x25519: string;
let x25519b: string;
let dir: string;

beforeAll(async () => {
  x25519 = await identityToRecipient(await generateX25519Identity());
  x25519b = await identityToRecipient(await generateX25519Identity());
  dir = await mkdtemp(join(tmpdir(), 'age-recipients-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Replaces the character at `index` with another bech32 character. */
const mistype = (text: string, index: number, by = text[index] === 'q' ? 'p' : 'q') =>
  `${text.slice(0, index)}${by}${text.slice(index + 1)}`;

describe('recipientProblem', () => {
  it('accepts an X25519 recipient', () => {
    expect(recipientProblem(x25519)).toBeUndefined();
  });

  it('catches a mistyped, truncated or upper-cased recipient', () => {
    expect(recipientProblem(mistype(x25519, 30))).toMatch(/checksum.*mistyped or truncated/i);
    expect(recipientProblem(mistype(x25519, 30, '1'))).toMatch(/mistyped or truncated/);
    expect(recipientProblem(x25519.slice(0, -1))).toMatch(/"age1" followed by 58/);
    expect(recipientProblem(x25519.toUpperCase())).toMatch(/"age1" followed by 58/);
  });

  it('says post-quantum, plugin and SSH recipients are unsupported', async () => {
    const pq = await identityToRecipient(await generateHybridIdentity());
    expect(recipientProblem(pq)).toMatch(
      /^age1pq\.\.\. is a post-quantum recipient, which is unsupported: only X25519/,
    );
    expect(recipientProblem('age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t')).toMatch(
      /^age1yubikey\.\.\. is a plugin recipient, which is unsupported/,
    );
    expect(recipientProblem('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG host')).toMatch(
      /SSH public keys are not supported/,
    );
  });

  it('recognises a pasted secret key', () => {
    expect(recipientProblem('AGE-SECRET-KEY-1QQQQ')).toMatch(/secret key.*age-keygen -y/);
  });
});

describe('parseRecipientsFile', () => {
  it('skips comments and blank lines, trims, keeps order', () => {
    expect(parseRecipientsFile(`# ops team\n\n  ${x25519}\t\r\n# old: ${x25519b}\n${x25519b}\n`, '/etc/r')).toEqual([
      x25519,
      x25519b,
    ]);
  });

  it('names the file and the 1-based line of the first bad recipient', () => {
    const bad = mistype(x25519b, 40);
    expect(() => parseRecipientsFile(`${x25519}\n\n${bad}\n`, '/etc/r')).toThrow(
      `encryption: age_recipients_file /etc/r line 3: "${bad}" is not an age recipient: `,
    );
  });

  it('never quotes a secret key', () => {
    const secret = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
    let error: unknown;
    try {
      parseRecipientsFile(`${secret}\n`, '/etc/r');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).message).toContain('/etc/r line 1: "AGE-SECRET-KEY-..." (not shown)');
    expect((error as BackupError).message).not.toContain(secret.slice(16));
  });
});

describe('loadRecipients', () => {
  it('merges age_recipients and the file without duplicates', async () => {
    const file = join(dir, 'recipients');
    await writeFile(file, `${x25519b}\n${x25519}\n`);
    expect(await loadRecipients({ age_recipients: [x25519], age_recipients_file: file })).toEqual([x25519, x25519b]);
    expect(await loadRecipients({})).toEqual([]);
  });

  it('checks inline recipients too, naming their index', async () => {
    const bad = mistype(x25519, 10);
    await expect(loadRecipients({ age_recipients: [x25519, bad] })).rejects.toThrow(
      `encryption: age_recipients[1]: "${bad}" is not an age recipient`,
    );
  });

  it('fails with CONFIG_INVALID for an unreadable or recipient-less file', async () => {
    const missing = join(dir, 'missing');
    await expect(loadRecipients({ age_recipients_file: missing })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `encryption: age_recipients_file ${missing}: cannot read it (ENOENT)`,
    });
    const empty = join(dir, 'empty');
    await writeFile(empty, '# none\n');
    await expect(loadRecipients({ age_recipients_file: empty })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('contains no recipients') as string,
    });
  });
});
