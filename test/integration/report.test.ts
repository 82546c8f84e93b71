// `backup-agent report --html`: the fleet page from real manifests in moto (read with the operator's
// read-only credentials) and drill results, rendered by a real headless Chromium: the DOM it builds
// shows the stale host red and the fresh one green, and a screenshot of it is taken.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './support/cli.js';
import { startMoto, type MotoServer } from './support/moto.js';
import { createRestorer, uploadWithManifest } from './support/operator.js';
import { requireTool } from './support/require-tool.js';
import { putOnlyDestination } from './support/s3-config.js';

let moto: MotoServer;
let work: string;
let page: string;
let dom: string;
/** What afterAll undoes: only what beforeAll got to start. */
const cleanups: (() => Promise<void>)[] = [];

/** Chromium headless, without sandbox (root in CI) and without reaching out to the network on its own. */
const chromium = (...args: string[]) =>
  execa(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--metrics-recording-only',
      '--disable-default-apps',
      `--user-data-dir=${join(work, 'chromium-profile')}`,
      ...args,
    ],
    { timeout: 60_000, reject: false },
  );

/** The <tr> of `host` in the DOM Chromium built. */
const rowOf = (host: string) =>
  new RegExp(`<tr data-host="${host}" data-asset="([^"]+)" data-health="(\\w+)"`).exec(dom);

beforeAll(async () => {
  await requireTool('chromium', 'tar', 'zstd');
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'ba-report-'));
  cleanups.push(
    () => moto.stop(),
    () => rm(work, { recursive: true, force: true }),
  );
  await chmod(work, 0o755);
  const files = join(work, 'www');
  await mkdir(files);
  await writeFile(join(files, 'index.html'), '<h1>fresh</h1>\n');
  const config = await writeConfig(work, {
    host: 'fresh-1',
    state_dir: join(work, 'state'),
    alert_after: '26h',
    destination: await putOnlyDestination(moto, work),
    assets: [{ name: 'www', type: 'files', paths: [files] }],
  });
  const run = await runCli(['run', '-c', config]);
  expect(run.exitCode, run.stderr).toBe(0);
  // A host whose last backup is three days old, as an admin could have uploaded it then.
  const old = new Date(Date.now() - 3 * 86_400_000).toISOString().replace(/\.\d+Z$/, '.000Z');
  const stamp = `${old.slice(0, 19).replace(/[-:]/g, '')}Z`;
  await uploadWithManifest(moto, {
    host: 'stale-1',
    asset: 'www',
    type: 'files',
    key: `${moto.prefix}daily/${old.slice(0, 10)}/stale-1/www/${stamp}.tar`,
    body: Buffer.alloc(10_240),
    startedAt: old,
  });
  const drills = join(work, 'drills.json');
  await writeFile(
    drills,
    JSON.stringify({
      format: 'backup-agent-drills',
      version: 1,
      drills: [
        {
          host: 'fresh-1',
          asset: 'www',
          type: 'files',
          ok: true,
          drilled_at: new Date().toISOString(),
          restore_seconds: 0.42,
          problems: [],
        },
      ],
    }),
  );
  const readerKey = await createRestorer(moto, config, work);
  page = join(work, 'fleet.html');
  const report = await runCli([
    'report',
    '-c',
    config,
    '--credentials-file',
    readerKey,
    '--html',
    page,
    '--drills',
    drills,
  ]);
  expect(report.exitCode, report.stderr).toBe(0);
  expect(report.stdout).toContain('2 assets, 1 red');
  const dumped = await chromium('--dump-dom', `file://${page}`);
  expect(dumped.exitCode, dumped.stderr).toBe(0);
  dom = dumped.stdout;
}, 120_000);
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

describe('report --html in a real browser', () => {
  it('shows the stale host red and the fresh one green, with its last drill', () => {
    expect(rowOf('stale-1')?.[2]).toBe('red');
    expect(rowOf('fresh-1')?.[2]).toBe('green');
    expect(dom).toContain('restore 0.4 s');
    expect(dom).toMatch(/<svg class="chart"/);
  });

  it('is self-contained: no script, no external reference', async () => {
    const html = await readFile(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it('renders to a screenshot', async () => {
    const png = join(work, 'fleet.png');
    const shot = await chromium('--window-size=1280,600', `--screenshot=${png}`, `file://${page}`);
    expect(shot.exitCode, shot.stderr).toBe(0);
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await stat(png)).size).toBeGreaterThan(5_000);
  });
});
