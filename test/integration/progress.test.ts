// The progress display: drawn on a real pseudo-terminal (util-linux `script`) while a slowed run
// streams; absent when stderr is a pipe, with --json, and in the daemon even on a terminal.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, logLines, runCli, writeConfig } from './support/cli.js';
import { startMariaDb, type MariaDb } from './support/mariadb.js';
import { requireTool } from './support/require-tool.js';
import { ifStarted } from './support/if-started.js';

/** A zstd fed at ~4 MiB/s: a 12 MB run lasts about three seconds, a dozen redraws. */
const SLOW_PATH = `${join(ROOT, 'test/fixtures/slow-zstd')}:${process.env.PATH}`;
const ESC = '\x1b[';
let work: string;
let data: string;

beforeAll(async () => {
  await requireTool('script');
  work = await mkdtemp(join(tmpdir(), 'ba-progress-'));
  data = join(work, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'big.bin'), randomBytes(12_000_000));
  await writeFile(join(data, 'small.txt'), 'hello\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function configFile(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    host: name,
    state_dir: join(dir, 'state'),
    destination: { type: 'local', path: join(dir, 'store') },
    assets: [{ name: 'www', type: 'files', paths: [data] }],
    ...extra,
  });
}

/** Runs `command` on a pseudo-terminal (stdin, stdout and stderr are the terminal); resolves to what it printed. */
async function onTerminal(command: string): Promise<{ exitCode: number; output: string }> {
  const result = await execa('script', ['-qfec', command, '/dev/null'], {
    reject: false,
    env: { PATH: SLOW_PATH },
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, output: result.stdout };
}

describe('progress display', () => {
  it('shows asset, bytes of the estimated total, rate, ETA and stored bytes on a terminal; log lines stay whole', async () => {
    const { exitCode, output } = await onTerminal(`${BIN} run -c ${await configFile('tty')}`);
    expect(exitCode, output).toBe(0);
    const frames = output
      .split('\r\x1b[K')
      .map((f) => f.replace(/\r?\n.*$/s, ''))
      .filter((f) => f.startsWith('files "www"  '));
    // Several redraws as the bytes move, with a total that is the archive's real size (11.5 MiB).
    expect(frames.length, output).toBeGreaterThanOrEqual(4);
    const full =
      /^files "www" {2}[\d.]+ (B|KiB|MiB) \/ 11\.5 MiB {2}\d{1,2}% {2}[\d.]+ (B|KiB|MiB)\/s {2}ETA (\d+:\d\d|--:--) {2}stored [\d.]+ (B|KiB|MiB)$/;
    for (const frame of frames) expect(frame).toMatch(full);
    expect(
      frames.some((f) => /ETA \d+:\d\d/.test(f)),
      frames.join('\n'),
    ).toBe(true);
    expect(new Set(frames.map((f) => f.split('  ')[1])).size).toBeGreaterThanOrEqual(3);
    // A log line written while the display is up first erases it, so it starts at the left margin.
    // eslint-disable-next-line no-control-regex -- the ESC of the terminal's erase-line sequence (ESC [K) is what this asserts
    expect(output).toMatch(/\r\x1b\[K\d\d:\d\d:\d\d INFO {2}manifest written to /);
    // The display is gone before the summary: the last erase comes before it.
    const summary = output.indexOf('ASSET  STATUS');
    expect(summary).toBeGreaterThan(output.lastIndexOf('files "www"  '));
    expect(output.slice(summary)).not.toContain(ESC);
  });

  it('draws nothing when stderr is a pipe: JSON log lines only', async () => {
    const result = await runCli(['run', '-c', await configFile('pipe')], { PATH: SLOW_PATH });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(ESC);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toContain('ETA');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(logLines(result.stderr)).toHaveLength(lines.length);
  });

  it('draws nothing with --json on a terminal, nor in the daemon on a terminal', async () => {
    const json = await onTerminal(`${BIN} run --json -c ${await configFile('tty-json')}`);
    expect(json.exitCode, json.output).toBe(0);
    expect(json.output).not.toContain('ETA');
    expect(json.output).not.toContain('files "www"  ');

    // Runs every second; SIGTERM after a few seconds lets the run in flight finish. --foreground: only the
    // daemon gets the signal (else timeout signals its whole process group, tar and zstd included).
    const daemon = await onTerminal(
      `timeout --foreground -s TERM 10 ${BIN} daemon -c ${await configFile('tty-daemon', { schedule: '* * * * * *' })}`,
    );
    expect(daemon.output).toContain('run finished: ok');
    expect(daemon.output).not.toContain('ETA');
    expect(daemon.output).not.toContain(ESC);
  });
});

describe('progress display of a database dump', () => {
  let db: MariaDb;
  beforeAll(async () => {
    db = await startMariaDb();
    await db.createFixtureDatabase('shop');
    await db.fillBig('shop', 50_000); // ~11 MB of SQL
  });
  afterAll(async () => {
    await ifStarted(db)?.stop();
  });

  it('shows bytes and rate but no total or ETA (a dump has no size beforehand)', async () => {
    const file = await configFile('tty-mysql', {
      assets: [{ name: 'db', type: 'mysql', databases: ['shop'], defaults_file: db.rootDefaultsFile }],
    });
    const { exitCode, output } = await onTerminal(`${BIN} run -c ${file}`);
    expect(exitCode, output).toBe(0);
    const frames = output
      .split('\r\x1b[K')
      .map((f) => f.replace(/\r?\n.*$/s, ''))
      .filter((f) => f.startsWith('mysql "db" (shop)  '));
    expect(frames.length, output).toBeGreaterThanOrEqual(3);
    for (const frame of frames)
      expect(frame).toMatch(
        /^mysql "db" \(shop\) {2}[\d.]+ (B|KiB|MiB) {2}[\d.]+ (B|KiB|MiB)\/s {2}stored [\d.]+ (B|KiB|MiB)$/,
      );
    // The dump's own bytes are counted (the zstd binary is fused to the dump; on a terminal the dump is counted on its way).
    const reads = frames.map((f) => /^mysql "db" \(shop\) {2}([\d.]+ (?:B|KiB|MiB))/.exec(f)![1]);
    expect(reads.filter((r) => r !== '0 B').length, output).toBeGreaterThanOrEqual(1);
  });
});
