import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter } from 'age-encryption';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptionConfig } from '../config/schema.js';
import { BackupError } from '../shared/backup-error.js';
import { planEncryptor } from './encrypt.js';
import { requireTool } from '../../test/integration/support/require-tool.js';

const MiB = 1024 * 1024;
const input = randomBytes(3 * MiB + 12345); // not a multiple of age's 64 KiB block
const empty = Buffer.alloc(0);
const signal = new AbortController().signal;

interface Key {
  path: string;
  identity: string;
  recipient: string;
}
let dir: string;
let noAgeEnv: NodeJS.ProcessEnv; // a PATH without age
let age: string;
let alice: Key;
let bob: Key;

async function keygen(name: string): Promise<Key> {
  const path = join(dir, `${name}.txt`);
  await execa('age-keygen', ['-o', path]);
  const identity = (await readFile(path, 'utf8')).split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
  const { stdout: recipient } = await execa('age-keygen', ['-y', path]);
  return { path, identity, recipient };
}

const config = (fields: Partial<EncryptionConfig>): EncryptionConfig => ({ age_binary: 'auto', ...fields });

/** Pipes `bytes` (in two uneven chunks) through `stage` and returns the output. */
async function run(stage: Duplex, bytes: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), stage, sink);
  return Buffer.concat(out);
}

async function ageDecrypt(encrypted: Buffer, key: Key): Promise<Buffer> {
  const { stdout } = await execa(age, ['-d', '-i', key.path], { input: encrypted, encoding: 'buffer' });
  return Buffer.from(stdout);
}

async function jsDecrypt(encrypted: Buffer, secret: { identity?: string; passphrase?: string }): Promise<Buffer> {
  const decrypter = new Decrypter();
  if (secret.identity) decrypter.addIdentity(secret.identity);
  if (secret.passphrase) decrypter.addPassphrase(secret.passphrase);
  return Buffer.from(await decrypter.decrypt(encrypted));
}

/** Equal bytes, without vitest's slow byte-by-byte diff. */
function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

describe('planEncryptor', () => {
  beforeAll(async () => {
    [age] = (await requireTool('age', 'age-keygen')) as [string, string];
    dir = await mkdtemp(join(tmpdir(), 'encrypt-test-'));
    noAgeEnv = { PATH: join(dir, 'empty-bin') };
    [alice, bob] = await Promise.all([keygen('alice'), keygen('bob')]);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without encryption: engine none, no extension, no stage', async () => {
    const plan = await planEncryptor(undefined);
    expect(plan).toMatchObject({ engine: 'none', extension: '' });
    expect(plan.create(signal)).toBeUndefined();
  });

  it('prefers the age binary; its output decrypts with age -d to the exact bytes, also for empty input', async () => {
    const plan = await planEncryptor(config({ age_recipients: [alice.recipient] }));
    expect(plan).toMatchObject({ engine: `age binary ${age}, 1 recipient`, extension: 'age' });
    const encrypted = await run(plan.create(signal)!, input);
    expect(encrypted.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expectBytes(await ageDecrypt(encrypted, alice), input);
    expectBytes(await ageDecrypt(await run(plan.create(signal)!, empty), alice), empty);
  });

  it('age_binary: auto with a PATH lacking age picks the JS engine, whose output decrypts with age -d (JS -> binary)', async () => {
    const plan = await planEncryptor(config({ age_recipients: [alice.recipient] }), noAgeEnv);
    expect(plan.engine).toBe('age-encryption (JS), 1 recipient (no age binary on PATH)');
    expectBytes(await ageDecrypt(await run(plan.create(signal)!, input), alice), input);
    expectBytes(await ageDecrypt(await run(plan.create(signal)!, empty), alice), empty);
  });

  it('output of the age binary decrypts with the JS Decrypter (binary -> JS)', async () => {
    const plan = await planEncryptor(config({ age_recipients: [alice.recipient] }));
    expect(plan.engine).toMatch(/^age binary /);
    expectBytes(await jsDecrypt(await run(plan.create(signal)!, input), alice), input);
    expectBytes(await jsDecrypt(await run(plan.create(signal)!, empty), alice), empty);
  });

  it('multiple recipients from age_recipients and age_recipients_file: each key decrypts, with both engines', async () => {
    const file = join(dir, 'recipients.txt');
    await writeFile(
      file,
      `# backup keys\n\n  ${bob.recipient}  \n# ${alice.recipient} (commented out)\n${alice.recipient}\n`,
    );
    const encryption = config({ age_recipients: [alice.recipient], age_recipients_file: file });
    const binary = await planEncryptor(encryption);
    const js = await planEncryptor(encryption, noAgeEnv);
    expect(binary.engine).toBe(`age binary ${age}, 2 recipients`);
    expect(js.engine).toMatch(/^age-encryption \(JS\), 2 recipients/);
    for (const plan of [binary, js]) {
      const encrypted = await run(plan.create(signal)!, input);
      expectBytes(await ageDecrypt(encrypted, alice), input);
      expectBytes(await ageDecrypt(encrypted, bob), input);
      expectBytes(await jsDecrypt(encrypted, bob), input);
    }
  });

  it('passphrase_file uses the JS engine even with an age binary, and decrypts with the first line as passphrase', async () => {
    const file = join(dir, 'passphrase');
    await writeFile(file, 'correct horse battery staple\nsecond line is ignored\n', { mode: 0o600 });
    const plan = await planEncryptor(config({ passphrase_file: file, age_binary: age }));
    expect(plan.engine).toMatch(/^age-encryption \(JS\), passphrase .*weaker for put-only hosts/);
    expect(plan.engine).not.toContain('correct horse');
    const encrypted = await run(plan.create(signal)!, input);
    expectBytes(await jsDecrypt(encrypted, { passphrase: 'correct horse battery staple' }), input);
  });

  it('an invalid recipient in age_recipients_file fails at plan time, naming the file and line', async () => {
    const file = join(dir, 'bad-recipients.txt');
    const typo = `${alice.recipient.slice(0, 20)}${alice.recipient[20] === 'q' ? 'p' : 'q'}${alice.recipient.slice(21)}`;
    await writeFile(file, `# keys\n${bob.recipient}\n\n${typo}\n`);
    const error = await planEncryptor(config({ age_recipients_file: file })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('CONFIG_INVALID');
    expect((error as BackupError).message).toContain(
      `encryption: age_recipients_file ${file} line 4: "${typo}" is not an age recipient`,
    );
  });

  it('a recipients file that is unreadable, empty, or holds a secret key fails at plan time without echoing the secret', async () => {
    const missing = join(dir, 'missing.txt');
    await expect(planEncryptor(config({ age_recipients_file: missing }))).rejects.toThrow(
      `encryption: age_recipients_file ${missing}: cannot read it (ENOENT)`,
    );
    const onlyComments = join(dir, 'comments.txt');
    await writeFile(onlyComments, '# nothing yet\n\n');
    await expect(planEncryptor(config({ age_recipients_file: onlyComments }))).rejects.toThrow(
      'contains no recipients',
    );
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, `${alice.identity}\n`);
    const error = (await planEncryptor(config({ age_recipients_file: secret })).catch(
      (e: unknown) => e,
    )) as BackupError;
    expect(error.message).toContain(
      `${secret} line 1: "AGE-SECRET-KEY-..." (not shown) is not an age recipient: this is a secret key`,
    );
    expect(error.message).not.toContain(alice.identity);
  });

  it('an explicit age_binary is used as given; a missing one fails at plan time', async () => {
    expect((await planEncryptor(config({ age_recipients: [alice.recipient], age_binary: age }), noAgeEnv)).engine).toBe(
      `age binary ${age}, 1 recipient`,
    );
    const missing = join(dir, 'no-such-age');
    await expect(planEncryptor(config({ age_recipients: [alice.recipient], age_binary: missing }))).rejects.toThrow(
      `encryption: age_binary "${missing}" is not an executable file`,
    );
  });

  it('a failing age binary surfaces its stderr', async () => {
    const fake = join(dir, 'failing-age');
    await writeFile(
      fake,
      '#!/bin/sh\nhead -c 1000 >/dev/null\necho "age: error: failed to write output: disk full" >&2\nexit 1\n',
    );
    await chmod(fake, 0o755);
    const plan = await planEncryptor(config({ age_recipients: [alice.recipient], age_binary: fake }));
    await expect(run(plan.create(signal)!, input)).rejects.toThrow(
      /exit code 1.*\n[^]*age: error: failed to write output: disk full/,
    );
  });

  it('aborting the signal stops the binary stage and the JS stage mid-stream', async () => {
    for (const env of [process.env, noAgeEnv]) {
      const controller = new AbortController();
      const stage = (await planEncryptor(config({ age_recipients: [alice.recipient] }), env)).create(
        controller.signal,
      )!;
      const endless = new Readable({
        read() {
          this.push(randomBytes(64 * 1024));
        },
      });
      let written = 0;
      const running = pipeline(
        endless,
        stage,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written += chunk.length;
            callback();
          },
        }),
      );
      setTimeout(() => controller.abort(), 200);
      await expect(running).rejects.toThrow();
      expect(written).toBeGreaterThan(0);
      expect(endless.destroyed).toBe(true);
    }
  });

  it('the JS stage streams with backpressure: 200 MiB pass with bounded memory', async () => {
    const plan = await planEncryptor(config({ age_recipients: [alice.recipient] }), noAgeEnv);
    const block = randomBytes(MiB);
    let sent = 0;
    let received = 0;
    // Fresh buffers, produced far faster than the JS engine encrypts: without backpressure they would pile up.
    const source = new Readable({
      read() {
        this.push(sent === 200 ? null : (sent++, Buffer.from(block)));
      },
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const poll = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      await pipeline(
        source,
        plan.create(signal)!,
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            received += chunk.length;
            callback();
          },
        }),
      );
    } finally {
      clearInterval(poll);
    }
    // Every byte arrived: header and nonce (an empty file is those plus one 16-byte tag), then a tag per 64 KiB block.
    const emptySize = (await run(plan.create(signal)!, empty)).length;
    expect(received).toBe(emptySize - 16 + 200 * MiB + 3200 * 16);
    expect(peak - before).toBeLessThan(64 * MiB);
  }, 120_000);
});
