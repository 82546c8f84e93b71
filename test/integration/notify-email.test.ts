// The email channel: a real SMTP server on loopback (STARTTLS with a throwaway CA, AUTH required) and a fixture sendmail.
import { execa } from 'execa';
import { access, chmod, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyFinished } from '../../src/notify/notify.js';
import { captureLogger, failedReport, notifyConfig, okReport } from '../fixtures/notify/notify-fixtures.js';
import { requireTool } from './support/require-tool.js';

const FAKE_SENDMAIL = resolve(import.meta.dirname, '../fixtures/notify/sendmail');
const PASSWORD = 'correct horse battery staple';

let work: string;
let cert: Buffer;
let key: Buffer;
let passwordFile: string;
let caFile: string;

beforeAll(async () => {
  await requireTool('openssl');
  work = await mkdtemp(join(tmpdir(), 'ba-notify-email-'));
  caFile = join(work, 'cert.pem');
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    join(work, 'key.pem'),
    '-out',
    caFile,
  ]);
  [cert, key] = await Promise.all([readFile(caFile), readFile(join(work, 'key.pem'))]);
  passwordFile = join(work, 'smtp-password');
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Received {
  auth: { user: string; pass: string; secure: boolean }[];
  mails: { secure: boolean; from: string; to: string[]; raw: string }[];
  port: number;
  close(): Promise<void>;
}

/** An SMTP server on a free loopback port that accepts user `backup` with PASSWORD and records what arrives. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<Received> {
  const received: Omit<Received, 'port' | 'close'> = { auth: [], mails: [] };
  const server = new SMTPServer({
    key,
    cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      received.auth.push({ user: auth.username ?? '', pass: auth.password ?? '', secure: session.secure });
      if (auth.username === 'backup' && auth.password === PASSWORD) callback(null, { user: 'backup' });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.mails.push({
          secure: session.secure,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.server.address() as AddressInfo;
  return { ...received, port, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** The text of a single-part mail: body after the headers, quoted-printable soft breaks and escapes undone. */
function bodyOf(raw: string): string {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  if (!/Content-Transfer-Encoding: quoted-printable/i.test(raw)) return body.replace(/\r\n/g, '\n');
  const bytes = body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
}

const smtpConfig = (port: number, extra: Record<string, unknown> = {}) =>
  notifyConfig({
    email: {
      to: ['ops@example.com'],
      from: 'backup@web-01.example.com',
      smtp: { host: 'localhost', port, user: 'backup', password_file: passwordFile, ca_file: caFile, ...extra },
    },
  });

describe('email over SMTP', () => {
  it('sends a failed run over STARTTLS with AUTH: status, failed assets with reasons, skips, keys, manifest, run id', async () => {
    const smtp = await startSmtp();
    try {
      const { logger, lines, text } = captureLogger();
      await notifyFinished(failedReport(), smtpConfig(smtp.port), logger);

      expect(smtp.auth).toEqual([{ user: 'backup', pass: PASSWORD, secure: true }]);
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail).toMatchObject({ secure: true, from: 'backup@web-01.example.com', to: ['ops@example.com'] });
      expect(mail.raw).toContain('Subject: [backup-agent] web-01: PARTIAL (2 of 5 assets)\r\n');
      expect(mail.raw).toContain('Auto-Submitted: auto-generated\r\n');
      const body = bodyOf(mail.raw);
      expect(body).toContain(
        'backup-agent on web-01: PARTIAL (exit 3)\nrun a1b2c3d4e5f6, tier daily, 2026-11-22T03:15:00.000Z to 2026-11-22T03:16:40.000Z',
      );
      expect(body).toContain(
        'Errors (2 of 5 failed):\n' +
          '  uploads [failed]: files "uploads": none of the paths can be read: /srv/uploads (no such file or directory)\n' +
          '  shop/orders [failed]: mysql "shop": mysqldump exited 2: Access denied for user\n',
      );
      expect(body).toContain('Skipped paths:\n  etc: 3 skipped, first: /etc/shadow (permission denied)\n');
      expect(body).toContain('  www [ok] daily/2026-11-22/web-01/www/20261122T031500Z.tar.zst (1234 bytes)\n');
      expect(body).toContain(
        '  shop/catalog [ok] daily/2026-11-22/web-01/shop/catalog/20261122T031500Z.tar.zst (5 bytes)\n',
      );
      expect(body).toContain('Manifest: daily/2026-11-22/web-01/20261122T031500Z.manifest.json\n');
      expect(lines().map((l) => l.msg)).toContain(`notify: email (smtp localhost:${smtp.port}) sent`);
      expect(text()).not.toContain(PASSWORD);
    } finally {
      await smtp.close();
    }
  });

  it('with starttls: true, sends nothing (and no password) to a server that offers no STARTTLS', async () => {
    const smtp = await startSmtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    try {
      const { logger, lines, text } = captureLogger();
      await notifyFinished(failedReport(), smtpConfig(smtp.port), logger);
      expect(smtp.auth).toEqual([]);
      expect(smtp.mails).toEqual([]);
      const warning = lines().find((l) => l.level === 'warn')!;
      expect(warning.msg).toMatch(new RegExp(`^notify: email \\(smtp localhost:${smtp.port}\\) failed: .*STARTTLS`));
      expect(text()).not.toContain(PASSWORD);
    } finally {
      await smtp.close();
    }
  });

  it('does not trust the server certificate without ca_file, and never logs the password on a rejected login', async () => {
    const smtp = await startSmtp();
    try {
      const untrusted = captureLogger();
      await notifyFinished(failedReport(), smtpConfig(smtp.port, { ca_file: undefined }), untrusted.logger);
      expect(smtp.auth).toEqual([]);
      expect(untrusted.lines().find((l) => l.level === 'warn')!.msg).toMatch(/failed: .*self[- ]signed certificate/i);

      const wrong = join(work, 'wrong-password');
      await writeFile(wrong, 'not-the-password\n', { mode: 0o600 });
      const rejected = captureLogger();
      await notifyFinished(failedReport(), smtpConfig(smtp.port, { password_file: wrong }), rejected.logger);
      expect(smtp.auth).toEqual([{ user: 'backup', pass: 'not-the-password', secure: true }]);
      expect(smtp.mails).toEqual([]);
      expect(rejected.lines().find((l) => l.level === 'warn')!.msg).toMatch(
        /^notify: email \(smtp localhost:\d+\) failed: EAUTH: .*535/,
      );
      expect(rejected.text()).not.toContain('not-the-password');
    } finally {
      await smtp.close();
    }
  });
});

describe('email through sendmail', () => {
  const sendmailConfig = (path: string, when: 'failure' | 'always' = 'failure') =>
    notifyConfig({ email: { to: ['ops@example.com', 'oncall@example.com'], when, sendmail: path } });

  it('pipes the message into `sendmail -oi -t`, recipients in the headers', async () => {
    const path = join(work, 'sendmail');
    await symlink(FAKE_SENDMAIL, path);
    const { logger, lines } = captureLogger();
    await notifyFinished(okReport(), sendmailConfig(path, 'always'), logger);

    expect(await readFile(`${path}.argv`, 'utf8')).toBe('-oi\n-t\n');
    const raw = await readFile(`${path}.eml`, 'utf8');
    expect(raw).toContain('From: backup-agent@web-01\r\n');
    expect(raw).toContain('To: ops@example.com, oncall@example.com\r\n');
    expect(raw).toContain('Subject: [backup-agent] web-01: OK\r\n');
    expect(raw).toMatch(/^Message-ID: <.+>\r$/m);
    expect(bodyOf(raw)).toContain('backup-agent on web-01: OK (exit 0)');
    expect(lines().map((l) => l.msg)).toContain(`notify: email (sendmail ${path}) sent`);
  });

  it('with when: failure, does not run sendmail for a successful run', async () => {
    const path = join(work, 'sendmail-quiet');
    await symlink(FAKE_SENDMAIL, path);
    await notifyFinished(okReport(), sendmailConfig(path), captureLogger().logger);
    await expect(access(`${path}.eml`)).rejects.toThrow();
  });

  it('warns with exit code and stderr when sendmail fails, and when it is missing', async () => {
    const failing = join(work, 'sendmail-fails');
    await symlink(FAKE_SENDMAIL, failing);
    const broken = captureLogger();
    await notifyFinished(failedReport(), sendmailConfig(failing), broken.logger);
    expect(broken.lines().find((l) => l.level === 'warn')!.msg).toBe(
      `notify: email (sendmail ${failing}) failed: ${failing} exited 75: sendmail: fatal: queue file write error`,
    );

    const missing = captureLogger();
    await notifyFinished(failedReport(), sendmailConfig(join(work, 'no-such-sendmail')), missing.logger);
    expect(missing.lines().find((l) => l.level === 'warn')!.msg).toContain(
      `${join(work, 'no-such-sendmail')} not found`,
    );
  });
});

// A fixture that is not executable must fail loudly too (a common packaging slip).
it('warns when the sendmail path is not executable', async () => {
  const path = join(work, 'sendmail-noexec');
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o644);
  const { logger, lines } = captureLogger();
  await notifyFinished(failedReport(), notifyConfig({ email: { to: ['ops@example.com'], sendmail: path } }), logger);
  expect(lines().find((l) => l.level === 'warn')!.msg).toBe(
    `notify: email (sendmail ${path}) failed: ${path} is not executable`,
  );
});
