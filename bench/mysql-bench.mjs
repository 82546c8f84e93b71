// Benchmark: backup-agent's mysql asset vs `mariadb-dump | gzip -6 | aws s3 cp -` and `mariadb-dump | zstd -3 -T0 | aws s3 cp -`.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/mysql-bench.mjs [--size 500M] [--repeat 1] [--only agent,gzip,zstd] [--part-size 8MiB] [--queue-size 4] [--rebuild] [--baseline DIR]
//
// - Starts a throwaway MariaDB (mariadbd from the mariadb-server package, own datadir, free port, --user=root,
//   no durability) and builds database `bench` of about --size of dump (binary units: 200M, 500M, 1G):
//   customers, orders, events (log-like text with numbers, hex trace ids, JSON-ish context) and documents
//   (sentences of text, a BINARY checksum and a BLOB attachment), deterministic, filled server-side with
//   INSERT ... SELECT from the SEQUENCE engine's seq_1_to_N in two connections. The datadir is kept in
//   .bench/mysql-<size> and reused while its .complete marker matches (--rebuild forces a new one).
// - root@127.0.0.1 gets a new random password each run: the agent reads it from BENCH_DB_PASSWORD
//   (`password: ${BENCH_DB_PASSWORD}` in its config), the pipelines from a 0600 defaults file.
// - Warms InnoDB's buffer pool with one dump, then measures the floor (`mariadb-dump | wc -c`: what every
//   contestant must wait for), then runs each contestant --repeat times in a rotating order against one moto
//   server (as bench/files-bench.mjs). Every contestant dumps with the agent's own DUMP_OPTIONS and
//   --databases bench. Reports median wall time, MiB/s of dump, stored bytes, peak RSS (the agent's node
//   process and the process tree) and CPU seconds of the tree, of moto and of mariadbd.
// - Targets checked: agent faster than the gzip pipeline, <= 1.1x the zstd pipeline's time, agent node
//   process peak RSS < 200 MiB.
// Needs: mariadb-server and mariadb-client (mariadbd, mariadb-install-db, mariadb-dump), python3 with
// moto[server], gzip, zstd, aws CLI. Logs go to .bench/*.log; the server's to .bench/mysql-<size>/error.log.
// Remove the database with `rm -rf .bench/mysql-*`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchOptions, check, createHarness, freePort, MiB, prepareS3, printResults, runRounds } from './measure.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const BUCKET = 'bench';
const DB = 'bench';
const {
  opt,
  target: TARGET,
  repeat: REPEAT,
} = benchOptions({ size: '500M', sizes: '200M, 500M, 1G', extra: { rebuild: { type: 'boolean', default: false } } });
if (!existsSync(join(ROOT, 'dist/sources/mysql-source.js'))) throw new Error('run `npm run build` first');
const { DUMP_OPTIONS } = await import('../dist/sources/mysql-source.js'); // the agent's own dump flags

// ---------- the throwaway server ----------
const MARIADBD = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd';
const SETPRIV = '/usr/bin/setpriv'; // PDEATHSIG: the server dies with this process, even on SIGKILL
const LOG_FLAGS = ['--innodb-log-file-size=512M']; // big enough that loading never waits for a checkpoint
const INSTALL_FLAGS = [
  '--auth-root-authentication-method=normal',
  '--skip-test-db',
  '--user=root',
  '--skip-name-resolve',
  ...LOG_FLAGS,
];

function serverArgs(dir, port, socket) {
  return [
    '--no-defaults',
    `--datadir=${join(dir, 'data')}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--user=root',
    '--skip-log-bin',
    '--skip-name-resolve',
    '--event-scheduler=OFF',
    ...LOG_FLAGS,
    '--innodb-buffer-pool-size=2G', // the whole database stays in memory, as on a server sized for it
    '--innodb-flush-log-at-trx-commit=0',
    '--innodb-doublewrite=0', // throwaway: durability buys nothing
  ];
}

/** Writes a 0600 `[client]` option file (pass as the FIRST argument: --defaults-extra-file=PATH). */
function defaultsFile(path, settings) {
  const lines = Object.entries(settings).map(([k, v]) => `${k}=${typeof v === 'number' ? v : `"${v}"`}`);
  writeFileSync(path, `[client]\n${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

/** Runs `program` with `args`, feeding `input`; resolves to stdout, rejects with stderr. */
function run(program, args, input = '') {
  return new Promise((ok, fail) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let [out, err] = ['', ''];
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0 ? ok(out.trim()) : fail(new Error(`${program} exited ${code}: ${err.trim().slice(-2000)}`)),
    );
    child.stdin.end(input);
  });
}
const sql = (cnf, text, db) => run('mariadb', [`--defaults-extra-file=${cnf}`, '-N', '-B', ...(db ? [db] : [])], text);

/** Starts mariadbd on `dir`/data on a free port (retrying when the port was taken meanwhile). */
async function startServer(harness, dir) {
  const socket =
    join(dir, 'mysqld.sock').length < 100
      ? join(dir, 'mysqld.sock')
      : join(tmpdir(), `backup-agent-bench-${process.pid}.sock`);
  const errorLog = join(dir, 'error.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    rmSync(errorLog, { force: true });
    const out = openSync(join(dir, 'mariadbd.out'), 'a');
    const args = serverArgs(dir, port, socket);
    const child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', MARIADBD, ...args], { stdio: ['ignore', out, out] })
      : spawn(MARIADBD, args, { stdio: ['ignore', out, out] });
    closeSync(out);
    harness.addService('mariadbd', child);
    for (let i = 0; i < 1200 && child.exitCode === null && child.signalCode === null; i++) {
      if (existsSync(errorLog) && readFileSync(errorLog, 'utf8').includes('ready for connections'))
        return { child, port, socket };
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
    await stopServer(child, 'SIGKILL');
    if (!/Address already in use|Bind on TCP\/IP port/.test(log) || attempt >= 3)
      throw new Error(`mariadbd did not start on port ${port}; log tail:\n${log}`);
  }
}

/** Stops the server (SIGTERM: a clean shutdown that flushes everything) and waits; SIGKILL after 120 s. */
async function stopServer(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await gone;
  clearTimeout(timer);
}

// ---------- the database ----------
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`; // for bash
const lit = (s) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
/** A deterministic pseudo-random pick from `list` for row number n (salt: an odd number per use). */
const pick = (list, salt) => `ELT(1 + CRC32(n * ${salt}) % ${list.length}, ${list.map(lit).join(', ')})`;
const W = {
  first: [
    'Anna',
    'Ben',
    'Chloé',
    'David',
    'Elif',
    'Farid',
    'Greta',
    'Hiro',
    'Ines',
    'Jonas',
    'Kateřina',
    'Liam',
    'Maja',
    'Noah',
    'Olga',
    'Pedro',
    'Quinn',
    'Rosa',
    'Sven',
    'Tara',
    'Umar',
    'Vera',
    'Wei',
    'Yusuf',
    'Zoë',
  ],
  last: [
    'Andersson',
    'Becker',
    'Costa',
    'Dubois',
    'Evans',
    'Fischer',
    'García',
    'Hansen',
    'Ivanova',
    'Jansen',
    'Kowalski',
    'López',
    'Müller',
    'Nakamura',
    'Olsen',
    'Petrov',
    'Rossi',
    'Schmidt',
    'Tanaka',
    'Novák',
    'Weber',
    'Yilmaz',
    'Zhang',
  ],
  domain: ['example.com', 'mail.example.org', 'corp.example.net', 'shop.example', 'inbox.example.com'],
  street: [
    'Main',
    'Oak',
    'Maple',
    'Station',
    'Church',
    'Mill',
    'Park',
    'High',
    'Lake',
    'Hill',
    'River',
    'Bridge',
    'King',
    'Queen',
    'Garden',
    'Market',
  ],
  kind: ['Street', 'Avenue', 'Road', 'Lane', 'Way', 'Square'],
  city: [
    'Berlin',
    'Lisbon',
    'Paris',
    'Madrid',
    'Rome',
    'Vienna',
    'Prague',
    'Warsaw',
    'Oslo',
    'Stockholm',
    'Helsinki',
    'Dublin',
    'Amsterdam',
    'Brussels',
    'Zürich',
    'Kraków',
    'Göteborg',
    'Porto',
    'Lyon',
    'Munich',
  ],
  country: ['DE', 'PT', 'FR', 'ES', 'IT', 'AT', 'CZ', 'PL', 'NO', 'SE', 'FI', 'IE', 'NL', 'BE', 'CH'],
  status: [
    'pending',
    'paid',
    'paid',
    'shipped',
    'shipped',
    'delivered',
    'delivered',
    'delivered',
    'cancelled',
    'refunded',
  ],
  currency: ['EUR', 'EUR', 'EUR', 'USD', 'GBP', 'SEK', 'PLN', 'CHF'],
  level: ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'],
  service: [
    'order-service',
    'auth-session',
    'payment-gateway',
    'inventory',
    'mailer-queue',
    'search-indexer',
    'cart-api',
    'db-pool',
  ],
  host: ['web-01', 'web-02', 'web-03', 'worker-01', 'worker-02', 'batch-01'],
  message: [
    'processed order',
    'user logged in',
    'cache miss, loading from db',
    'slow query detected',
    'retrying upstream request',
    'connection returned to pool',
    'job finished',
    'payment authorised',
    'email queued for delivery',
    'token refreshed',
    'stock level updated',
    'search index refreshed',
  ],
  path: [
    '/api/v1/orders',
    '/api/v1/users',
    '/api/v1/cart',
    '/api/v2/search',
    '/api/v1/payments',
    '/healthz',
    '/login',
    '/api/v1/stock',
  ],
  httpStatus: ['200', '200', '200', '200', '201', '304', '400', '404', '500'],
  ua: [
    'Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0',
    'Mozilla/5.0 (Macintosh) Safari/605.1.15',
    'curl/8.5.0',
    'okhttp/4.12.0',
    'Go-http-client/2.0',
  ],
  opener: ['The', 'Our', 'Each', 'Every', 'This', 'That', 'One', 'No', 'Some', 'Another'],
  adj: [
    'quarterly',
    'regional',
    'updated',
    'pending',
    'internal',
    'final',
    'revised',
    'annual',
    'urgent',
    'detailed',
    'preliminary',
    'shared',
    'confidential',
    'approved',
    'archived',
    'draft',
    'external',
    'weekly',
    'summary',
    'technical',
  ],
  noun: [
    'report',
    'invoice',
    'shipment',
    'customer',
    'contract',
    'warehouse',
    'supplier',
    'budget',
    'forecast',
    'payment',
    'order',
    'product',
    'review',
    'meeting',
    'schedule',
    'inventory',
    'account',
    'policy',
    'request',
    'delivery',
    'catalogue',
    'margin',
    'audit',
    'team',
  ],
  verb: [
    'confirms',
    'requires',
    'reflects',
    'includes',
    'replaces',
    'delays',
    'improves',
    'exceeds',
    'follows',
    'covers',
    'changes',
    'lists',
    'explains',
    'summarises',
    'affects',
    'tracks',
  ],
  adv: [
    'carefully',
    'again',
    'today',
    'as planned',
    'in full',
    'on time',
    'for now',
    'by region',
    'per unit',
    'in part',
    'as agreed',
    'next week',
  ],
};
/** A sentence of 8-12 words for row n; k varies it within a row. */
const sentence = (k) =>
  `CONCAT(${pick(W.opener, 3 * k + 1)}, ' ', ${pick(W.adj, 5 * k + 3)}, ' ', ${pick(W.noun, 7 * k + 5)}, ' ', ${pick(W.verb, 11 * k + 7)}, ' the ', ${pick(W.adj, 13 * k + 9)}, ' ', ${pick(W.noun, 17 * k + 11)}, ' ', ${pick(W.adv, 19 * k + 13)}, IF(CRC32(n * ${23 * k + 15}) % 3 = 0, CONCAT(' (ref ', CRC32(n * ${29 * k + 17}) % 100000, ')'), ''), '.')`;
const datetime = (start, stepSeconds, salt) =>
  `TIMESTAMP(${lit(start)}) + INTERVAL (n * ${stepSeconds} + CRC32(n * ${salt}) % ${stepSeconds}) SECOND`;

/** Tables: share of the dump, approximate dump bytes per row (for the row count), DDL and the SELECT of row n. */
const TABLES = {
  customers: {
    share: 0.1,
    rowBytes: 230,
    ddl: `CREATE TABLE customers (
      id INT UNSIGNED NOT NULL PRIMARY KEY, first_name VARCHAR(40) NOT NULL, last_name VARCHAR(40) NOT NULL, email VARCHAR(190) NOT NULL,
      phone VARCHAR(30) NULL, street VARCHAR(120) NOT NULL, city VARCHAR(60) NOT NULL, country CHAR(2) NOT NULL, created_at DATETIME NOT NULL,
      balance DECIMAL(12,2) NOT NULL, vip TINYINT(1) NOT NULL, notes TEXT NULL) ENGINE=InnoDB`,
    select: () => `SELECT n, ${pick(W.first, 1)}, ${pick(W.last, 3)}, CONCAT('customer', n, '@', ${pick(W.domain, 5)}),
      IF(n % 7 = 0, NULL, CONCAT('+', 30 + n % 20, ' ', 100 + CRC32(n * 7) % 900, ' ', LPAD(CRC32(n * 9) % 1000000, 6, '0'))),
      CONCAT(1 + CRC32(n * 11) % 250, ' ', ${pick(W.street, 13)}, ' ', ${pick(W.kind, 15)}), ${pick(W.city, 17)}, ${pick(W.country, 19)},
      ${datetime('2019-01-01', 60, 21)}, (CRC32(n * 23) % 2000000) / 100 - 5000, n % 17 = 0,
      IF(n % 3 = 0, NULL, CONCAT_WS(' ', ${sentence(1)}, ${sentence(2)}))`,
  },
  orders: {
    share: 0.25,
    rowBytes: 146,
    ddl: `CREATE TABLE orders (
      id BIGINT UNSIGNED NOT NULL PRIMARY KEY, customer_id INT UNSIGNED NOT NULL, status VARCHAR(20) NOT NULL, currency CHAR(3) NOT NULL,
      amount DECIMAL(10,2) NOT NULL, qty SMALLINT NOT NULL, created_at DATETIME NOT NULL, shipped_at DATETIME NULL,
      shipping_address VARCHAR(255) NOT NULL, note VARCHAR(255) NULL, KEY idx_customer (customer_id)) ENGINE=InnoDB`,
    select: (rows) => `SELECT n, 1 + CRC32(n * 3) % ${rows.customers}, ${pick(W.status, 5)}, ${pick(W.currency, 7)},
      (100 + CRC32(n * 9) % 5000000) / 100, 1 + CRC32(n * 11) % 12, ${datetime('2021-01-01', 20, 13)},
      IF(n % 4 = 0, NULL, ${datetime('2021-01-02', 20, 15)}),
      CONCAT(1 + CRC32(n * 17) % 250, ' ', ${pick(W.street, 19)}, ' ', ${pick(W.kind, 21)}, ', ', ${pick(W.city, 23)}, ' ', LPAD(CRC32(n * 25) % 100000, 5, '0')),
      IF(n % 5 < 2, ${sentence(3)}, NULL)`,
  },
  events: {
    share: 0.35,
    rowBytes: 288,
    ddl: `CREATE TABLE events (
      id BIGINT UNSIGNED NOT NULL PRIMARY KEY, ts DATETIME(3) NOT NULL, level VARCHAR(8) NOT NULL, service VARCHAR(40) NOT NULL,
      host VARCHAR(40) NOT NULL, message VARCHAR(500) NOT NULL, trace_id CHAR(32) NULL, context TEXT NULL) ENGINE=InnoDB`,
    select:
      () => `SELECT n, TIMESTAMP('2026-11-01') + INTERVAL (n * 37 + CRC32(n) % 37) * 1000 MICROSECOND, ${pick(W.level, 3)}, ${pick(W.service, 5)}, ${pick(W.host, 7)},
      CONCAT(${pick(W.message, 9)}, ' id=', n * 3, ' user=u', CRC32(n * 11) % 5000, ' took=', CRC32(n * 13) % 900, 'ms'),
      IF(n % 10 < 3, MD5(n), NULL),
      CONCAT('{"ip":"10.', CRC32(n * 15) % 16, '.', CRC32(n * 17) % 256, '.', n % 250, '","method":"', IF(n % 5 = 0, 'POST', 'GET'), '","path":"', ${pick(W.path, 19)}, '/', CRC32(n * 21) % 2000,
        '","status":', ${pick(W.httpStatus, 23)}, ',"bytes":', CRC32(n * 25) % 50000, ',"ua":"', ${pick(W.ua, 27)}, '"}')`,
  },
  documents: {
    share: 0.3,
    rowBytes: 1052,
    ddl: `CREATE TABLE documents (
      id INT UNSIGNED NOT NULL PRIMARY KEY, author_id INT UNSIGNED NOT NULL, title VARCHAR(200) NOT NULL, body MEDIUMTEXT NOT NULL,
      updated_at DATETIME NOT NULL, checksum BINARY(32) NOT NULL, attachment BLOB NULL) ENGINE=InnoDB`,
    select: (
      rows,
    ) => `SELECT n, 1 + CRC32(n * 3) % ${rows.customers}, CONCAT(${pick(W.adj, 5)}, ' ', ${pick(W.noun, 7)}, ' #', n),
      CONCAT_WS(' ', ${Array.from({ length: 10 }, (_, k) => sentence(k + 4)).join(', ')}), ${datetime('2022-01-01', 90, 9)},
      UNHEX(SHA2(n, 256)), IF(n % 4 = 0, NULL, CONCAT(UNHEX(SHA2(n, 512)), UNHEX(SHA2(n * 3, 512)), REPEAT(CHAR(0), n % 97), ${pick(W.noun, 11)}))`,
  },
};
const SPEC_VERSION = 2; // bump when the tables or their content change

/** Row counts per table for the target dump size. */
const rowCounts = () =>
  Object.fromEntries(
    Object.entries(TABLES).map(([t, d]) => [t, Math.max(100, Math.round((TARGET * d.share) / d.rowBytes))]),
  );

/** Creates database `bench` and fills it: the tables split over two connections, 250,000 rows per statement. */
async function buildDatabase(cnf) {
  const rows = rowCounts();
  await sql(
    cnf,
    `CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nUSE ${DB};\n${Object.values(TABLES)
      .map((d) => `${d.ddl};`)
      .join('\n')}`,
  );
  const fill = (table) => {
    const statements = ['SET SESSION unique_checks = 0, foreign_key_checks = 0;'];
    for (let off = 0; off < rows[table]; off += 250_000) {
      const n = Math.min(250_000, rows[table] - off);
      statements.push(
        `INSERT INTO ${table} ${TABLES[table].select(rows)} FROM (SELECT seq + ${off} AS n FROM seq_1_to_${n}) s;`,
      );
    }
    return statements.join('\n');
  };
  await Promise.all(
    [
      ['events', 'customers'],
      ['documents', 'orders'],
    ].map((group) => sql(cnf, group.map(fill).join('\n'), DB)),
  );
  return rows;
}

/** Starts the server on .bench/mysql-<size> (built first unless a matching one is there); resolves to connection details. */
async function ensureServer(harness) {
  const dir = join(BENCH, `mysql-${opt.size}`);
  const marker = join(dir, '.complete');
  const version = spawnSync(MARIADBD, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const spec = { version: SPEC_VERSION, target: TARGET, mariadbd: version };
  let built;
  if (!opt.rebuild && existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.version === spec.version && m.target === spec.target && m.mariadbd === spec.mariadbd) built = m;
  }
  if (!built) {
    const t0 = performance.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const install = spawnSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${join(dir, 'data')}`, ...INSTALL_FLAGS],
      { encoding: 'utf8' },
    );
    if (install.status !== 0) throw new Error(`mariadb-install-db failed:\n${install.stdout}\n${install.stderr}`);
    const server = await startServer(harness, dir);
    const rows = await buildDatabase(defaultsFile(join(dir, 'bootstrap.cnf'), { user: 'root', socket: server.socket }));
    await stopServer(server.child); // a clean shutdown writes every page now, not in the background during the runs
    built = { ...spec, rows };
    writeFileSync(marker, JSON.stringify(built));
    console.log(
      `built ${dir}: ${Object.entries(rows)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const server = await startServer(harness, dir);
  // root@localhost (socket) has no password; root@127.0.0.1, which TCP clients match, gets a new one each run.
  const password = randomBytes(12).toString('hex');
  await sql(
    defaultsFile(join(dir, 'bootstrap.cnf'), { user: 'root', socket: server.socket }),
    [
      "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';",
      `ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '${password}';`,
      "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
    ].join('\n'),
  );
  const cnf = defaultsFile(join(BENCH, 'mysql-client.cnf'), {
    user: 'root',
    password,
    host: '127.0.0.1',
    port: server.port,
  });
  return { ...server, dir, rows: built.rows, password, cnf };
}

// ---------- contestants ----------
const harness = createHarness(ROOT, BENCH); // moto, mariadbd and the running contestant die on exit and Ctrl-C

async function main() {
  mkdirSync(BENCH, { recursive: true });
  const db = await ensureServer(harness);
  const dump = `mariadb-dump --defaults-extra-file=${q(db.cnf)} ${DUMP_OPTIONS.join(' ')} --databases ${DB}`;
  console.log(`warming the buffer pool (${dump} | wc -c) ...`);
  const warm = spawnSync('bash', ['-o', 'pipefail', '-c', `${dump} | wc -c`], { encoding: 'utf8' });
  if (warm.status !== 0) throw new Error(`warm-up dump failed: ${warm.stderr}`);
  const endpoint = await harness.startMoto();
  // The floor: the dump alone, into wc. No contestant can be faster than this.
  const floor = await harness.runMeasured('dump-floor', ['bash', '-o', 'pipefail', '-c', `${dump} | wc -c`], {});
  const dumpBytes = Number(floor.stdout.trim());
  const dumpCpu = [...floor.procs.values()].filter((p) => p.name === 'mariadb-dump').reduce((sum, p) => sum + p.cpu, 0);
  console.log(
    `database ${DB} on 127.0.0.1:${db.port}: ${Object.entries(db.rows)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')} rows; dump ${(dumpBytes / MiB).toFixed(0)} MiB; ${REPEAT} repetition(s)`,
  );
  console.log(
    `floor (mariadb-dump | wc -c): ${floor.wall.toFixed(2)} s, ${(dumpBytes / MiB / floor.wall).toFixed(1)} MiB/s; mariadb-dump ${dumpCpu.toFixed(1)} CPU s, mariadbd ${floor.servicesCpu.mariadbd.toFixed(1)}, other processes ${floor.otherCpu.toFixed(1)}`,
  );

  const { s3, awsBin, awsEnv, destination } = await prepareS3({ endpoint, benchDir: BENCH, bucket: BUCKET, opt });
  const pipe = (label, name, compress, ext) => ({
    label,
    async run(rep) {
      const key = `bench/${name}-${rep}.${ext}`;
      const script = `${dump} | ${compress} | ${q(awsBin)} s3 cp - s3://${BUCKET}/${key} --endpoint-url ${endpoint} --only-show-errors`;
      return {
        ...(await harness.runMeasured(`mysql-${name}-r${rep}`, ['bash', '-o', 'pipefail', '-c', script], awsEnv)),
        key,
      };
    },
  });

  const agent = (label, name, agentRoot) => ({
    label,
    async run(rep) {
      const r = await harness.runAgent(
        `mysql-${name}-r${rep}`,
        {
          host: `${name}-r${rep}`,
          state_dir: join(BENCH, 'state'),
          compression: { algorithm: 'zstd' },
          destination, // defaults: zstd -3, parts 16 MiB x 4
          assets: [
            {
              name: 'db',
              type: 'mysql',
              databases: [DB],
              host: '127.0.0.1',
              port: db.port,
              user: 'root',
              password: '${BENCH_DB_PASSWORD}',
            },
          ],
        },
        { BENCH_DB_PASSWORD: db.password },
        agentRoot,
      );
      if (Math.abs(r.artifact.bytes_read - dumpBytes) > 64)
        throw new Error(`${name} read ${r.artifact.bytes_read} bytes of dump, the floor run ${dumpBytes}`);
      return r;
    },
  });
  const contestants = {
    agent: agent('backup-agent (zstd -3)', 'agent', ROOT),
    ...(opt.baseline ? { base: agent(`baseline ${opt.baseline}`.slice(0, 38), 'base', resolve(opt.baseline)) } : {}),
    gzip: pipe('mariadb-dump | gzip -6 | aws s3 cp', 'gzip', 'gzip -6', 'sql.gz'),
    zstd: pipe('mariadb-dump | zstd -3 -T0 | aws s3 cp', 'zstd', 'zstd -q -3 -T0', 'sql.zst'),
  };
  const names = (opt.baseline && !opt.only.includes('base') ? `${opt.only},base` : opt.only)
    .split(',')
    .filter((n) => contestants[n]);
  const results = await runRounds({ contestants, names, repeat: REPEAT, s3, bucket: BUCKET });
  s3.destroy();

  const rows = Object.values(db.rows).reduce((sum, n) => sum + n, 0);
  const m = printResults({
    heading: `database ${opt.size} (${(dumpBytes / MiB).toFixed(0)} MiB of dump, ${rows} rows in ${Object.keys(db.rows).length} tables; floor ${floor.wall.toFixed(2)} s)`,
    inputBytes: dumpBytes,
    contestants,
    names,
    results,
    repeat: REPEAT,
  });
  const a = m.agent;
  if (a) {
    console.log('\ntargets:');
    if (m.gzip)
      check(m.gzip.wall / a.wall > 1, `agent faster than gzip pipeline (${(m.gzip.wall / a.wall).toFixed(2)}x)`);
    if (m.zstd)
      check(a.wall / m.zstd.wall <= 1.1, `agent <= 1.1x zstd pipeline time (${(a.wall / m.zstd.wall).toFixed(2)}x)`);
    check(a.nodeMiB < 200, `agent node peak RSS < 200 MiB (${a.nodeMiB.toFixed(1)} MiB)`);
  }
  await stopServer(db.child);
}

try {
  await main();
} finally {
  harness.cleanup();
} // moto and mariadbd die even on error
