// Benchmark: a mysql-physical asset (mariabackup) vs a mysql asset (mariadb-dump), both through this
// build's CLI into one local destination, side by side: backup time, restore time, stored bytes, and a
// differential after 1% of the rows changed.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/physical-bench.mjs [--size 500M]
//
// - Builds a throwaway MariaDB (own datadir under .bench/physical-<size>, root over its socket, no network)
//   with database `bench`: two InnoDB tables of about --size of row data (INSERT ... SELECT from seq_1_to_N).
// - physical full: `run` of a mysql-physical asset (incremental: full_every 7d); logical: `run` of a mysql asset.
// - physical restore: `restore KEY --to DIR` (download, zstd -d, mbstream -x, mariabackup --prepare) plus
//   starting mariadbd on DIR until it answers (what `--start` does before its checksums), then stopping it;
//   logical restore: `restore --into-database bench_restored` (the dump loaded through the mariadb client).
// - differentials (dirty pages flushed first, as a server in service soon does): 1% of the rows changed as
//   one block (recent ids), `run` again; its restore (full + differential + prepare) is timed and its
//   CHECKSUM TABLE compared with the source's; then 1% more spread over every page (every 100th row),
//   `run` again (cumulative: differentials are against the full).
// Needs mariadb-server, mariadb-client, mariadb-backup, zstd. Everything lives in .bench/physical-<size>.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({ options: { size: { type: 'string', default: '500M' } } });
const UNITS = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const match = /^(\d+)([KMG])$/.exec(opt.size);
if (!match) throw new Error('--size: like 200M, 500M, 1G');
const TARGET = Number(match[1]) * UNITS[match[2]];
const DIR = join(ROOT, '.bench', `physical-${opt.size}`);
const MARIADBD = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
const CLI = join(ROOT, 'bin/backup-agent');
const ROW_BYTES = 260; // about, per row of `items` (ids, numbers, a VARCHAR and a TEXT)
const live = new Set();
process.on('exit', () => live.forEach((c) => c.kill('SIGKILL')));

const secs = (ms) => (ms / 1000).toFixed(1);
const mib = (bytes) => (bytes / 1024 ** 2).toFixed(1);

function sh(program, args, input) {
  const result = spawnSync(program, args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0)
    throw new Error(`${program} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}
const sql = (socket, text) => sh('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B'], text);

async function startServer(datadir, name, extra = []) {
  const socket = join(DIR, `${name}.sock`);
  const log = join(DIR, `${name}.log`);
  rmSync(log, { force: true });
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--skip-networking',
    `--socket=${socket}`,
    `--pid-file=${join(DIR, `${name}.pid`)}`,
    `--log-error=${log}`,
    '--user=root',
    '--innodb-buffer-pool-size=1G',
    '--innodb-log-file-size=512M',
    ...extra,
  ];
  const child = spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', MARIADBD, ...args], { stdio: 'ignore' });
  live.add(child);
  for (let i = 0; i < 6000; i++) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited: ${readFileSync(log, 'utf8').slice(-1500)}`);
    if (spawnSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'SELECT 1']).status === 0)
      return { child, socket };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mariadbd did not answer');
}

async function stopServer({ child }) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
  live.delete(child);
}

async function ensureDatabase() {
  const marker = join(DIR, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === String(TARGET))
    return startServer(join(DIR, 'data'), 'source', ['--log-bin=binlog', '--server-id=1']);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  sh('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${join(DIR, 'data')}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--user=root',
    '--innodb-log-file-size=512M',
  ]);
  const server = await startServer(join(DIR, 'data'), 'source', ['--log-bin=binlog', '--server-id=1']);
  const t0 = performance.now();
  const rows = Math.round(TARGET / ROW_BYTES);
  const fill = [
    'CREATE DATABASE bench;',
    'USE bench;',
    'CREATE TABLE items (id BIGINT PRIMARY KEY, owner INT NOT NULL, qty INT NOT NULL, title VARCHAR(120) NOT NULL, body TEXT NOT NULL, KEY (owner)) ENGINE=InnoDB;',
    'CREATE TABLE owners (id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, email VARCHAR(120) NOT NULL) ENGINE=InnoDB;',
    `INSERT INTO owners SELECT seq, CONCAT('owner ', seq), CONCAT('o', seq, '@example.org') FROM seq_1_to_${Math.max(100, Math.round(rows / 50))};`,
  ];
  for (let off = 0; off < rows; off += 250_000)
    fill.push(
      `INSERT INTO items SELECT seq, 1 + CRC32(seq) % ${Math.max(100, Math.round(rows / 50))}, seq % 1000, CONCAT('item ', seq, ' ', MD5(seq)), CONCAT_WS(' ', SHA2(seq, 512), 'lorem ipsum dolor sit amet', MD5(seq * 7), REPEAT('x', seq % 40)) FROM seq_${off + 1}_to_${Math.min(rows, off + 250_000)};`,
    );
  sql(server.socket, fill.join('\n'));
  writeFileSync(marker, String(TARGET));
  console.log(`built bench (${rows} items) in ${secs(performance.now() - t0)} s`);
  // A clean shutdown checkpoints: a server in service checkpoints all the time, so a backup copies little redo.
  await stopServer(server);
  return startServer(join(DIR, 'data'), 'source', ['--log-bin=binlog', '--server-id=1']);
}

/** Lets InnoDB write every dirty page (60 s at most), as a server in service soon does. */
async function flushDirtyPages(socket) {
  sql(socket, 'SET GLOBAL innodb_max_dirty_pages_pct = 0; SET GLOBAL innodb_max_dirty_pages_pct_lwm = 0;');
  const dirty =
    "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'";
  for (let i = 0; i < 600 && Number(sql(socket, dirty)) > 0; i++) await new Promise((r) => setTimeout(r, 100));
}

function cli(args) {
  const t0 = performance.now();
  const out = sh(CLI, args);
  return { ms: performance.now() - t0, out };
}

async function main() {
  const server = await ensureDatabase();
  sql(server.socket, 'ANALYZE TABLE bench.items, bench.owners');
  const dataBytes = Number(
    sql(
      server.socket,
      "SELECT SUM(DATA_LENGTH + INDEX_LENGTH) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench'",
    ),
  );
  const store = join(DIR, 'store');
  rmSync(store, { recursive: true, force: true });
  rmSync(join(DIR, 'state'), { recursive: true, force: true });
  const config = join(DIR, 'config.yml');
  const asset = (name, type, extra) => ({ name, type, socket: server.socket, user: 'root', ...extra });
  writeFileSync(
    config,
    JSON.stringify({
      host: 'bench',
      state_dir: join(DIR, 'state'),
      destination: { type: 'local', path: store },
      assets: [
        asset('physical', 'mysql-physical', { incremental: { full_every: '7d' } }),
        asset('logical', 'mysql', { databases: ['bench'] }),
      ],
    }),
  );
  // Warm the buffer pool for both equally.
  sql(server.socket, 'CHECKSUM TABLE bench.items, bench.owners');
  const full = cli(['run', '-c', config, '--json']);
  const report = JSON.parse(full.out);
  // Both assets ran in one run: time each separately with run --asset when available, else from the records.
  const byAsset = Object.fromEntries(report.artifacts.map((a) => [a.asset, a]));
  const physFull = byAsset.physical;
  const logical = byAsset.logical;

  // Pages the server has not written yet reach a differential as redo; a server in service writes them
  // soon, so they are flushed before each differential: it then holds every changed page.
  // First differential: 1% of the rows changed as one block (the most recent ids), as hot data often is.
  const maxId = Number(sql(server.socket, 'SELECT MAX(id) FROM bench.items'));
  sql(server.socket, `UPDATE bench.items SET qty = qty + 2 WHERE id > ${Math.floor(maxId * 0.99)};`);
  await flushDirtyPages(server.socket);
  const sourceSums = sql(server.socket, 'CHECKSUM TABLE bench.items, bench.owners');
  const incr = JSON.parse(cli(['run', '-c', config, '--json']).out).artifacts.find((a) => a.asset === 'physical');
  if (incr.incremental?.level !== 1) throw new Error(`second run was not a differential: ${JSON.stringify(incr)}`);

  // Second differential (against the same full, so cumulative): another 1% of the rows, spread (every 100th
  // row of both tables): nearly every page changes, and a page-level differential holds it whole.
  sql(
    server.socket,
    'UPDATE bench.items SET qty = qty + 1 WHERE id % 100 = 0; UPDATE bench.owners SET name = CONCAT(name, "*") WHERE id % 100 = 0;',
  );
  await flushDirtyPages(server.socket);
  const spread = JSON.parse(cli(['run', '-c', config, '--json']).out).artifacts.find((a) => a.asset === 'physical');

  const restoreFull = join(DIR, 'restored-full');
  const restoreDiff = join(DIR, 'restored-diff');
  rmSync(restoreFull, { recursive: true, force: true });
  rmSync(restoreDiff, { recursive: true, force: true });
  const physRestore = cli(['restore', physFull.key, '-c', config, '--to', restoreFull]);
  const t0 = performance.now();
  const started = await startServer(restoreFull, 'restored', ['--skip-log-bin', '--skip-grant-tables']);
  const startMs = performance.now() - t0;
  const rowsBack = sql(started.socket, 'SELECT COUNT(*) FROM bench.items').trim();
  await stopServer(started);
  const diffRestore = cli(['restore', incr.key, '-c', config, '--to', restoreDiff]);
  const diffServer = await startServer(restoreDiff, 'restored', ['--skip-log-bin', '--skip-grant-tables']);
  const diffSums = sql(diffServer.socket, 'CHECKSUM TABLE bench.items, bench.owners');
  await stopServer(diffServer);
  if (diffSums !== sourceSums)
    throw new Error(`restored differential differs from the source:\n${diffSums}\n${sourceSums}`);
  sql(server.socket, 'DROP DATABASE IF EXISTS bench_restored');
  const logicalRestore = cli(['restore', logical.key, '-c', config, '--into-database', 'bench_restored']);
  sql(server.socket, 'DROP DATABASE IF EXISTS bench_restored');
  await stopServer(server);

  const physTotal = physRestore.ms + startMs;
  console.log(
    `\nbench database: ${mib(dataBytes)} MiB of InnoDB data + indexes; restored full answered with ${rowsBack} items\n`,
  );
  const rows = [
    ['', 'physical (mariabackup)', 'logical (mariadb-dump)'],
    ['backup wall time (s, from the manifest)', secs(physFull.duration_ms), secs(logical.duration_ms)],
    ['bytes read (MiB)', mib(physFull.bytes_read), mib(logical.bytes_read)],
    ['stored bytes (MiB, zstd)', mib(physFull.bytes_stored), mib(logical.bytes_stored)],
    [
      'restore (s)',
      `${secs(physTotal)} (restore+prepare ${secs(physRestore.ms)} + start ${secs(startMs)})`,
      secs(logicalRestore.ms),
    ],
    ['restore speed-up', `${(logicalRestore.ms / physTotal).toFixed(1)}x`, '1x'],
    ['differential after 1% of rows changed in one block: backup (s)', secs(incr.duration_ms), '-'],
    [
      'differential (block): stored bytes (MiB)',
      `${mib(incr.bytes_stored)} (${((100 * incr.bytes_stored) / physFull.bytes_stored).toFixed(1)}% of the full)`,
      '-',
    ],
    ['differential (block): restore full+diff+prepare (s)', secs(diffRestore.ms), '-'],
    ['then 1% more, spread over every page: backup (s)', secs(spread.duration_ms), '-'],
    [
      'differential (block + spread): stored bytes (MiB)',
      `${mib(spread.bytes_stored)} (${((100 * spread.bytes_stored) / physFull.bytes_stored).toFixed(1)}% of the full)`,
      '-',
    ],
  ];
  const width = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(`| ${r.map((c, i) => String(c).padEnd(width[i])).join(' | ')} |`);
  const target = logicalRestore.ms / physTotal >= 5;
  console.log('\nthe restored differential: CHECKSUM TABLE of both tables equal to the source at the differential');
  console.log(`\ntarget physical restore >= 5x faster than loading the dump: ${target ? 'met' : 'NOT met'}`);
  rmSync(restoreFull, { recursive: true, force: true });
  rmSync(restoreDiff, { recursive: true, force: true });
}

await main();
