// Benchmark of `restore --into-database` under another name: the retarget stage alone (this build's
// token rewrite vs the previous build's sed), and optionally whole restores by this build and a baseline.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/restore-mysql-bench.mjs --dump FILE.sql --from DB [--repeat 3]
//        [--socket /path/mysqld.sock --user root [--baseline DIR]] [--only sed,stage,first,agent,base]
//
// - FILE.sql: a `mariadb-dump --databases DB` output (a few hundred MB; e.g. the bench database of
//   bench/mysql-bench.mjs, or any real dump). The stage contestants read it and write to /dev/null:
//   `sed`   the previous build's rewrite (CREATE DATABASE/USE lines, backtick DEFINERs), LC_ALL=C;
//   `stage` this build's createRetargetStage (dist/), with --strip-definers;
//   `first` this build's first pass as restore runs it: zstd -d of FILE.sql.zst into the stage, output dropped.
// - With --socket: DB must exist on that server (root over the socket). The bench backs it up once with
//   this build into a local destination under .bench/, then restores it with this build (`agent`) and,
//   with --baseline DIR (another build, e.g. the previous commit built in DIR), with that one (`base`),
//   into a new database each time (dropped after), in rotating rounds. Reported: median wall seconds,
//   MiB/s of dump, CPU seconds of the restore's process tree and of mariadbd, node peak RSS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createHarness, median, MiB, procInfo } from './measure.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const { values: opt } = parseArgs({
  options: {
    dump: { type: 'string' },
    from: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    socket: { type: 'string' },
    user: { type: 'string', default: 'root' },
    baseline: { type: 'string' },
    only: { type: 'string' },
  },
});
if (!opt.dump || !opt.from)
  throw new Error(
    'usage: node bench/restore-mysql-bench.mjs --dump FILE.sql --from DB [--repeat N] [--socket S [--baseline DIR]]',
  );
if (!existsSync(join(ROOT, 'dist/sources/mysql-retarget.js'))) throw new Error('run `npm run build` first');
const REPEAT = Math.max(1, Number(opt.repeat) | 0);
const dumpBytes = statSync(opt.dump).size;
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
mkdirSync(BENCH, { recursive: true });
const harness = createHarness(ROOT, BENCH);

/** The previous build's sed expressions (src/sources/mysql-retarget.ts before the token rewrite). */
const sedArgs = (from, to) => [
  '-e',
  `s/^CREATE DATABASE \\(.*\\)\`${from}\`/CREATE DATABASE \\1\`${to}\`/`,
  '-e',
  `s/^USE \`${from}\`;$/USE \`${to}\`;/`,
  '-e',
  '/^\\(INSERT \\|(\\)/!s/DEFINER=`[^`]*`@`[^`]*`//g',
];
const stageScript = (collect) => `
  import { createReadStream, createWriteStream } from 'node:fs'; import { pipeline } from 'node:stream/promises';
  const { createRetargetStage } = await import(${JSON.stringify(join(ROOT, 'dist/sources/mysql-retarget.js'))});
  const stage = createRetargetStage({ from: ${JSON.stringify(opt.from)}, to: 'bench_copy', stripDefiners: true, collect: ${collect} });
  await pipeline(process.stdin, stage, createWriteStream('/dev/null'));
  if (stage.problems.length) console.error(stage.problems.join('\\n'));`;

function stageContestants() {
  const zst = `${opt.dump}.zst`;
  if (!existsSync(zst)) spawnSync('zstd', ['-q', '-3', '-T0', '-f', opt.dump, '-o', zst], { stdio: 'inherit' });
  const node = (collect) => `${q(process.execPath)} --input-type=module -e ${q(stageScript(collect))}`;
  return {
    sed: [
      'bash',
      '-o',
      'pipefail',
      '-c',
      `LC_ALL=C sed ${sedArgs(opt.from, 'bench_copy').map(q).join(' ')} < ${q(opt.dump)} > /dev/null`,
    ],
    stage: ['bash', '-o', 'pipefail', '-c', `${node(false)} < ${q(opt.dump)}`],
    first: ['bash', '-o', 'pipefail', '-c', `zstd -q -d -c ${q(zst)} | ${node(true)}`],
  };
}

/** Backs the database up once with this build into .bench/restore-store; resolves to the config path. */
function prepareRestores() {
  const store = join(BENCH, 'restore-store');
  rmSync(store, { recursive: true, force: true });
  const config = join(BENCH, 'restore-bench.yml');
  writeFileSync(
    config,
    JSON.stringify(
      {
        host: 'bench',
        state_dir: join(BENCH, 'restore-state'),
        destination: { type: 'local', path: store },
        assets: [{ name: 'db', type: 'mysql', databases: [opt.from], socket: opt.socket, user: opt.user }],
      },
      null,
      2,
    ),
  );
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/backup-agent'), 'run', '-c', config], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`backup failed: ${run.stderr}`);
  return config;
}

/** The mariadbd serving --socket (other servers may run on the machine). */
function mariadbdPid() {
  const pids = spawnSync('pidof', ['mariadbd'], { encoding: 'utf8' }).stdout.trim().split(' ').filter(Boolean);
  return pids.map(Number).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--socket=${opt.socket}`);
    } catch {
      return false;
    }
  });
}

async function measure(name, argv, rep, after) {
  const pid = mariadbdPid();
  const server0 = pid ? (procInfo(pid)?.cpu ?? 0) : 0;
  const r = await harness.runMeasured(`restore-${name}-r${rep}`, argv, {});
  const server = pid ? (procInfo(pid)?.cpu ?? 0) - server0 : NaN;
  after?.();
  const node = [...r.procs.values()].filter((p) => p.name.startsWith('node') || p.name === 'backup-agent');
  return {
    wall: r.wall,
    cpu: r.treeCpu,
    server,
    nodeMiB: Math.max(0, ...node.map((p) => p.hwm)) / 1024,
    other: r.otherCpu,
  };
}

async function main() {
  const contestants = stageContestants();
  if (opt.socket) {
    const config = prepareRestores();
    const restore = (root, target) => ({
      target,
      argv: [
        process.execPath,
        join(root, 'bin/backup-agent'),
        'restore',
        '-c',
        config,
        '--asset',
        'db',
        '--latest',
        '--into-database',
        target,
        '--db-socket',
        opt.socket,
        '--db-user',
        opt.user,
        '--strip-definers',
      ],
    });
    contestants.agent = (rep) => restore(ROOT, `bench_agent_${rep}`);
    if (opt.baseline) contestants.base = (rep) => restore(resolve(opt.baseline), `bench_base_${rep}`);
  }
  const names = Object.keys(contestants).filter((n) => !opt.only || opt.only.split(',').includes(n));
  const results = Object.fromEntries(names.map((n) => [n, []]));
  const drop = (db) => () =>
    spawnSync('mariadb', [`--socket=${opt.socket}`, `--user=${opt.user}`, '-e', `DROP DATABASE IF EXISTS \`${db}\``]);
  console.log(
    `dump ${opt.dump}: ${(dumpBytes / MiB).toFixed(0)} MiB; ${REPEAT} round(s); contestants ${names.join(', ')}`,
  );
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const name of names.map((_, i) => names[(i + rep) % names.length])) {
      const restore = typeof contestants[name] === 'function' ? contestants[name](rep) : undefined;
      const r = await measure(
        name,
        restore?.argv ?? contestants[name],
        rep,
        restore ? drop(restore.target) : undefined,
      );
      results[name].push(r);
      console.log(
        `  round ${rep + 1} ${name.padEnd(6)} ${r.wall.toFixed(2)} s  ${(dumpBytes / MiB / r.wall).toFixed(1)} MiB/s  CPU-s ${r.cpu.toFixed(2)}${Number.isNaN(r.server) ? '' : `  mariadbd ${r.server.toFixed(1)}`}  other ${r.other.toFixed(1)}`,
      );
    }
  }
  console.log(
    '\n| contestant | wall s | MiB/s of dump | CPU-s (tree) | mariadbd CPU-s | node peak RSS |\n|---|---:|---:|---:|---:|---:|',
  );
  for (const name of names) {
    const m = (k) => median(results[name].map((r) => r[k]));
    console.log(
      `| ${name} | ${m('wall').toFixed(2)} | ${(dumpBytes / MiB / m('wall')).toFixed(1)} | ${m('cpu').toFixed(2)} | ${Number.isNaN(m('server')) ? '-' : m('server').toFixed(1)} | ${m('nodeMiB').toFixed(0)} MiB |`,
    );
  }
}

try {
  await main();
} finally {
  harness.cleanup();
}
