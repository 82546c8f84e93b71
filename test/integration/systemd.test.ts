// The shipped systemd units pass `systemd-analyze verify`, and `schedule --print` output means what the
// daemon means: systemd's own calendar parser agrees with node-cron on the next runs.
import { execa } from 'execa';
import { createTask } from 'node-cron';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { toOnCalendar } from '../../src/scheduler/on-calendar.js';
import { BIN, ROOT, runCli, writeConfig } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

const UNITS = join(ROOT, 'systemd');
let work: string;

beforeAll(async () => {
  await requireTool('systemd-analyze');
  work = await mkdtemp(join(tmpdir(), 'ba-systemd-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const analyze = (args: string[]) =>
  execa('systemd-analyze', args, { reject: false, env: { TZ: 'UTC', SYSTEMD_LOG_COLOR: '0' } });

describe('systemd units', () => {
  it('pass systemd-analyze verify without a single warning (ExecStart pointed at this checkout)', async () => {
    // verify checks that ExecStart's binary exists; /usr/bin/backup-agent only exists once installed.
    const copy = join(work, 'verify');
    await mkdir(copy);
    const service = await readFile(join(UNITS, 'backup-agent.service'), 'utf8');
    expect(service).toMatch(/^ExecStart=\/usr\/bin\/backup-agent run --config \/etc\/backup-agent\/config\.yml$/m);
    await writeFile(
      join(copy, 'backup-agent.service'),
      service.replace(/^ExecStart=\/usr\/bin\/backup-agent /m, `ExecStart=${BIN} `),
    );
    await writeFile(join(copy, 'backup-agent.timer'), await readFile(join(UNITS, 'backup-agent.timer'), 'utf8'));
    const result = await analyze(['verify', join(copy, 'backup-agent.service'), join(copy, 'backup-agent.timer')]);
    expect({ exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout }).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '',
    });

    const pristine = await analyze(['verify', join(UNITS, 'backup-agent.service'), join(UNITS, 'backup-agent.timer')]);
    const missingBinary =
      'backup-agent.service: Command /usr/bin/backup-agent is not executable: No such file or directory';
    expect(pristine.stderr.trim()).toMatch(new RegExp(`^(|${missingBinary.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')})$`));
  });

  it('keep Node working and give a stopping run more time than shutdown_timeout', async () => {
    const service = await readFile(join(UNITS, 'backup-agent.service'), 'utf8');
    const directives = service.split('\n').filter((line) => !line.startsWith('#'));
    expect(directives.filter((l) => l.startsWith('MemoryDenyWriteExecute'))).toEqual([]); // V8's JIT needs W+X pages
    for (const line of [
      'Type=oneshot',
      'User=backup-agent',
      'AmbientCapabilities=CAP_DAC_READ_SEARCH',
      'CapabilityBoundingSet=CAP_DAC_READ_SEARCH',
      'ProtectSystem=strict',
      'StateDirectory=backup-agent',
      'UMask=0077',
      'KillSignal=SIGTERM',
      'KillMode=mixed',
    ]) {
      expect(directives).toContain(line);
    }
    const stopSec = /^TimeoutStopSec=(\d+)min$/m.exec(service);
    const defaults = parseConfig(
      'destination: { type: local, path: /x }\nassets: [{ name: a, type: files, paths: [/x] }]\n',
      '/c.yml',
      {},
    );
    expect(Number(stopSec?.[1]) * 60_000).toBeGreaterThan(defaults.shutdown_timeout);
    // The run's own max_run_time trips first (manifest, notifications); systemd's start timeout is the backstop.
    const startSec = /^TimeoutStartSec=(\d+)h (\d+)min$/m.exec(service);
    const startMs = (Number(startSec?.[1]) * 60 + Number(startSec?.[2])) * 60_000;
    expect(startMs - defaults.max_run_time).toBeGreaterThanOrEqual(10 * 60_000);
    expect(startMs).toBeLessThan(24 * 3_600_000); // a daily run never blocks the next one
    const timer = await readFile(join(UNITS, 'backup-agent.timer'), 'utf8');
    expect(timer).toContain(
      'OnCalendar=*-*-* 03:15:00\nPersistent=true\nRandomizedDelaySec=15m\nUnit=backup-agent.service\n',
    );
  });
});

describe('backup-agent-binlog.service', () => {
  it('passes systemd-analyze verify, restarts the stream forever and gives the final shipping time to stop', async () => {
    const copy = join(work, 'verify-binlog');
    await mkdir(copy);
    const service = await readFile(join(UNITS, 'backup-agent-binlog.service'), 'utf8');
    expect(service).toMatch(/^ExecStart=\/usr\/bin\/backup-agent binlog --config \/etc\/backup-agent\/config\.yml$/m);
    await writeFile(
      join(copy, 'backup-agent-binlog.service'),
      service.replace(/^ExecStart=\/usr\/bin\/backup-agent /m, `ExecStart=${BIN} `),
    );
    const result = await analyze(['verify', join(copy, 'backup-agent-binlog.service')]);
    expect({ exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout }).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '',
    });
    const directives = service.split('\n').filter((line) => !line.startsWith('#'));
    for (const line of [
      'Restart=always',
      'StartLimitIntervalSec=0',
      'User=backup-agent',
      'StateDirectory=backup-agent',
      'ProtectSystem=strict',
      'UMask=0077',
      'KillSignal=SIGTERM',
    ])
      expect(directives).toContain(line);
    expect(directives.filter((l) => l.startsWith('MemoryDenyWriteExecute'))).toEqual([]);
    // SIGTERM ships what the client wrote, bounded at 60 s (follow-binlog.ts FINAL_SHIP_MS), before SIGKILL.
    const stopSec = /^TimeoutStopSec=(\d+)s$/m.exec(service);
    expect(Number(stopSec?.[1])).toBeGreaterThan(60);
  });
});

describe('schedule --print', () => {
  async function printFor(name: string, extra: Record<string, unknown>, format: 'systemd' | 'cron') {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    const file = await writeConfig(dir, {
      destination: { type: 'local', path: 'store' },
      assets: [{ name: 'a', type: 'files', paths: ['.'] }],
      ...extra,
    });
    return { file, ...(await runCli(['schedule', '--print', format, '-c', file])) };
  }

  it('systemd: a timer with OnCalendar in the configured zone, RandomizedDelaySec and Persistent, that verify accepts', async () => {
    const out = await printFor(
      'sd',
      { schedule: '15 3 * * mon-fri', timezone: 'Europe/Berlin', random_delay: '15m' },
      'systemd',
    );
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(
      '[Timer]\nOnCalendar=Mon..Fri *-*-* 03:15:00 Europe/Berlin\nRandomizedDelaySec=15min\nPersistent=true\nUnit=backup-agent.service\n',
    );
    const copy = join(work, 'sd-verify');
    await mkdir(copy);
    await writeFile(join(copy, 'backup-agent.timer'), out.stdout);
    const service = await readFile(join(UNITS, 'backup-agent.service'), 'utf8');
    await writeFile(
      join(copy, 'backup-agent.service'),
      service.replace(/^ExecStart=\/usr\/bin\/backup-agent /m, `ExecStart=${BIN} `),
    );
    const verified = await analyze(['verify', join(copy, 'backup-agent.timer'), join(copy, 'backup-agent.service')]);
    expect([verified.exitCode, verified.stderr]).toEqual([0, '']);
  });

  it('cron: a crontab line with CRON_TZ, the absolute program and config paths; refusals exit 2 saying why', async () => {
    const out = await printFor('cron', { schedule: '@daily', timezone: 'Europe/Berlin' }, 'cron');
    expect(out.exitCode).toBe(0);
    expect(out.stdout.endsWith(`run --config ${out.file}`)).toBe(true); // execa strips the final newline
    expect(out.stdout).toContain(`\nCRON_TZ=Europe/Berlin\n0 0 * * * ${BIN} run --config ${out.file}`);
    const plain = await printFor('cron-plain', { schedule: '*/30 1-5 * * 1-5' }, 'cron');
    expect(plain.stdout).not.toContain('CRON_TZ');
    expect(plain.stdout).toContain(`\n0,30 1-5 * * 1-5 ${BIN} run --config ${plain.file}`);

    const both = await printFor('cron-both', { schedule: '0 3 1-7 * sun' }, 'cron');
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain(
      'restricts both day of month and day of week: the daemon runs when both match, cron when either does',
    );
    const last = await printFor('sd-last', { schedule: '0 3 L * *' }, 'systemd');
    expect(last.exitCode).toBe(2);
    expect(last.stderr).toContain(
      'cannot convert "L" (last day, nearest weekday or nth weekday) to systemd OnCalendar',
    );
    const none = await printFor('none', {}, 'systemd');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('schedule: not set; add a cron expression such as schedule: "15 3 * * *"');
  });

  it.each([
    ['15 3 * * *', undefined],
    ['*/15 * * * *', undefined],
    ['0 3 * * mon-fri', 'Europe/Berlin'],
    ['0 4 1,15 */2 *', 'America/New_York'],
    ['5 1-11/2 * * sat,sun', undefined],
    ['0 3 1-7 * 1', 'Asia/Kolkata'],
    ['*/20 0 4 * * *', undefined],
  ])('systemd-analyze agrees with node-cron on the next runs of %s (zone %s)', async (cron, zone) => {
    const task = createTask(cron, () => undefined, zone ? { timezone: zone } : {});
    let base: number;
    let cronRuns: string[];
    do {
      base = Math.floor(Date.now() / 1000);
      cronRuns = task.getNextRuns(6).map((d) => d.toISOString().replace('T', ' ').replace('.000Z', ' UTC'));
    } while (Math.floor(Date.now() / 1000) !== base);
    void task.destroy();
    const result = await analyze(['calendar', '--iterations=6', `--base-time=@${base}`, toOnCalendar(cron, zone)]);
    expect(result.exitCode).toBe(0);
    const systemdRuns = [...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\S+ \S+ UTC)/g)].map(
      (m) => m[1],
    );
    expect(systemdRuns).toEqual(cronRuns);
  });
});
