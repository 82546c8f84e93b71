// Benchmark: backup-agent's files asset vs `tar | gzip -6 | aws s3 cp -` and `tar | zstd -3 -T0 | aws s3 cp -`.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/files-bench.mjs [--size 1G] [--repeat 1] [--only agent,gzip,zstd] [--part-size 8MiB] [--queue-size 4]
//
// - Generates a deterministic tree in .bench/tree-<size> (reused while its .complete marker matches):
//   log-like text (~5-10x compressible), ~15% pseudo-random binary bytes, and up to 20,000 small
//   files (1-8 KiB) in nested directories. Sizes: 200M, 1G, 5G... (binary units).
// - Starts one moto server (test/fixtures/moto-launcher.py, no IAM enforcement, credentials test/test)
//   on a free port, creates a bucket, warms the page cache (tar | cat > /dev/null), then runs each
//   contestant --repeat times in a rotating order, deleting its objects afterwards so moto's state
//   is the same for every run. Reports median wall time, MiB/s of input, stored bytes and peak RSS
//   (polled from /proc every 50 ms: the agent's own node process, and the sum over the process tree).
// - The tree is always kept (--keep is the default and accepted for clarity: generation is the slow
//   part); remove trees, configs, logs and state with `rm -rf .bench`.
// - Targets checked: agent >= 2x faster than the gzip pipeline, <= 1.1x the zstd pipeline's time,
//   agent node process peak RSS < 200 MiB. Other load on the machine is measured and warned about.
// Needs: python3 with moto[server], GNU tar, gzip, zstd, aws CLI. Logs go to .bench/*.log.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteObjectCommand, CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const BUCKET = 'bench';
const MiB = 1024 * 1024;
const { values: opt } = parseArgs({ options: {
  size: { type: 'string', default: '1G' }, repeat: { type: 'string', default: '1' },
  only: { type: 'string', default: 'agent,gzip,zstd' }, keep: { type: 'boolean', default: true },
  'part-size': { type: 'string' }, 'queue-size': { type: 'string' },
} });
const units = { K: 1024, M: MiB, G: 1024 * MiB };
const sizeMatch = /^(\d+(?:\.\d+)?)([KMG])i?B?$/i.exec(opt.size);
if (!sizeMatch) throw new Error(`--size ${opt.size}: expected e.g. 200M, 1G, 5G`);
const TARGET = Math.round(Number(sizeMatch[1]) * units[sizeMatch[2].toUpperCase()]);
const REPEAT = Math.max(1, Number(opt.repeat) | 0);

// ---------- deterministic tree ----------
function mulberry32(seed) { // a seeded PRNG in [0, 1)
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    const t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    const u = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((u ^ (u >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const hex = (rnd) => Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0');
const PATHS = ['/api/v1/orders', '/api/v1/users', '/api/v1/cart', '/api/v2/search', '/static/app.js', '/healthz', '/login', '/img/logo.png'];
const UAS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0', 'Mozilla/5.0 (Macintosh) Safari/605.1.15', 'curl/8.5.0', 'kube-probe/1.30', 'Go-http-client/2.0'];
const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const SERVICES = ['order.service', 'auth.session', 'payment.gateway', 'db.pool', 'cache.redis', 'mailer.queue'];
const MESSAGES = ['processed order', 'user logged in', 'cache miss, loading from db', 'slow query detected', 'retrying upstream request', 'connection returned to pool', 'job finished'];

const NUM = Array.from({ length: 10000 }, (_, i) => String(i)); // number-to-string is the slow part
const PAD3 = NUM.slice(0, 1000).map((n) => n.padStart(3, '0'));

/** Returns fill(buf): fills buf with log lines (access or application style); a line may be cut at the end. */
function logWriter(rnd, access) {
  let t = Date.UTC(2026, 10, 1) + Math.floor(rnd() * 86400e3);
  let [id, second, prefix] = [Math.floor(rnd() * 1e6), -1, ''];
  const skewed = (n) => Math.floor(rnd() * rnd() * n); // a few values are frequent, like real traffic
  return (buf) => {
    // Writing each short-lived line straight into the buffer keeps the GC idle (an array of lines does not).
    for (let off = 0; off < buf.length; ) {
      t += skewed(80);
      id += 1 + skewed(3);
      if (Math.floor(t / 1000) !== second) {
        second = Math.floor(t / 1000);
        prefix = new Date(second * 1000).toISOString().slice(0, 20); // 2026-11-01T03:23:17.
      }
      const iso = `${prefix}${PAD3[t % 1000]}Z`;
      const trace = rnd() < 0.3 ? ` trace=${hex(rnd)}` : '';
      const line = access
        ? `10.0.${NUM[skewed(16)]}.${NUM[skewed(250)]} - - [${iso}] "${rnd() < 0.8 ? 'GET' : 'POST'} ${pick(rnd, PATHS)}/${NUM[skewed(2000)]} HTTP/1.1" ${rnd() < 0.9 ? '200' : pick(rnd, ['304', '404', '500'])} ${NUM[1000 + skewed(100) * 16]} "-" "${pick(rnd, UAS)}" rt=0.${PAD3[skewed(999)]}${trace}\n`
        : `${iso} ${pick(rnd, LEVELS)} [worker-${NUM[skewed(8)]}] ${pick(rnd, SERVICES)}: ${pick(rnd, MESSAGES)} id=${id} user=u${NUM[skewed(2000)]} took=${NUM[skewed(300)]}ms${trace}\n`;
      off += buf.latin1Write(line, off);
    }
    return buf;
  };
}

/** Fills `buf` (length a multiple of 4) with xorshift32 output; state carried in s.x. */
function fillRandom(buf, s) {
  const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
  let x = s.x;
  for (let i = 0; i < words.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; words[i] = x; }
  s.x = x;
}

function writeBigFile(path, size, nextChunk) { // nextChunk(n) returns a Buffer of n bytes
  const fd = openSync(path, 'w');
  for (let written = 0; written < size; ) written += writeSync(fd, nextChunk(Math.min(4 * MiB, size - written)));
  closeSync(fd);
  return size;
}

function ensureTree() {
  const dir = join(BENCH, `tree-${opt.size}`);
  const marker = join(dir, '.complete');
  const spec = { version: 2, target: TARGET };
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.version === spec.version && m.target === spec.target) return { dir, ...m };
  }
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  const rnd = mulberry32(42);
  let [bytes, files] = [0, 0];
  // Small files: up to 20,000 of 1-8 KiB (~9% of the tree), in small/dNN/eNN/.
  const smallCount = Math.min(20000, Math.floor((TARGET * 0.09) / 4608));
  const small = logWriter(mulberry32(7), false);
  for (let i = 0; i < smallCount; i++) {
    const sub = join(dir, 'small', `d${String(i % 20).padStart(2, '0')}`, `e${String(Math.floor(i / 20) % 25).padStart(2, '0')}`);
    if (i < 500) mkdirSync(sub, { recursive: true });
    const content = small(Buffer.allocUnsafe(1024 + Math.floor(rnd() * 7 * 1024)));
    writeFileSync(join(sub, `f${i}.${pick(rnd, ['conf', 'json', 'log', 'txt'])}`), content);
    [bytes, files] = [bytes + content.length, files + 1];
  }
  // Binary-ish files: 15% of the tree, incompressible, 4-48 MiB each.
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  const state = { x: 0x9e3779b9 };
  const chunk = Buffer.allocUnsafeSlow(4 * MiB);
  for (let left = Math.floor(TARGET * 0.15), i = 0; left > 0; i++) {
    const size = Math.min(left, (4 + Math.floor(rnd() * 44)) * MiB);
    bytes += writeBigFile(join(dir, 'blobs', `blob-${i}.bin`), size, (n) => { fillRandom(chunk, state); return chunk.subarray(0, n); });
    [left, files] = [left - size, files + 1];
  }
  // Logs: the rest, 2-40 MiB per file, alternating access and application logs.
  mkdirSync(join(dir, 'logs', 'archive'), { recursive: true });
  for (let i = 0; bytes < TARGET; i++) {
    const size = Math.min(TARGET - bytes, (2 + Math.floor(rnd() * 38)) * MiB);
    const gen = logWriter(mulberry32(1000 + i), i % 2 === 0);
    const name = i % 2 === 0 ? `access-${i}.log` : `app-${i}.log`;
    bytes += writeBigFile(join(dir, 'logs', i % 3 === 0 ? 'archive' : '', name), size, (n) => gen(chunk.subarray(0, n)));
    files += 1;
  }
  const m = { ...spec, bytes, files };
  writeFileSync(marker, JSON.stringify(m));
  console.log(`generated ${dir}: ${files} files, ${(bytes / MiB).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, ...m };
}

// ---------- /proc sampling ----------
function descendants(root) {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    let tasks = [];
    try { tasks = readdirSync(`/proc/${pids[i]}/task`); } catch { continue; }
    for (const t of tasks) {
      try { pids.push(...readFileSync(`/proc/${pids[i]}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)); } catch { /* exited */ }
    }
  }
  return pids;
}
function procInfo(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kb = (re) => Number(re.exec(status)?.[1] ?? 0);
    return { name: /^Name:\s+(.*)$/m.exec(status)[1], rss: kb(/VmRSS:\s+(\d+)/), hwm: kb(/VmHWM:\s+(\d+)/), cpu: (Number(f[11]) + Number(f[12])) / 100 };
  } catch { return undefined; }
}
/** CPU seconds the whole machine spent busy so far (all CPUs, from /proc/stat). */
function machineBusy() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}
/** Polls the tree under `root`: per-pid peak (VmHWM) and CPU seconds, and the peak of the summed VmRSS. */
function monitor(root) {
  const procs = new Map();
  let treePeak = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of descendants(root)) {
      const p = procInfo(pid);
      if (!p) continue;
      sum += p.rss;
      procs.set(pid, { name: p.name, hwm: Math.max(p.hwm, procs.get(pid)?.hwm ?? 0), cpu: p.cpu });
    }
    treePeak = Math.max(treePeak, sum);
  };
  const timer = setInterval(sample, 50);
  sample();
  return () => { clearInterval(timer); return { procs, treePeakKb: treePeak }; };
}

// ---------- moto and contestants ----------
const freePort = () => new Promise((ok, fail) => {
  const srv = createServer().once('error', fail).listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => ok(port)); });
});
let moto, current; // the moto server and the contestant running now
const cleanup = () => { current?.pid && tryKill(-current.pid); moto?.pid && tryKill(moto.pid); };
const tryKill = (pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } };
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

async function startMoto() {
  const port = await freePort();
  const log = openSync(join(BENCH, 'moto.log'), 'w');
  moto = spawn('python3', [join(ROOT, 'test/fixtures/moto-launcher.py'), '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', log, log], env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_LAUNCHER_PARENT_PID: String(process.pid) },
  });
  closeSync(log);
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && moto.exitCode === null; i++) {
    try { await (await fetch(`${endpoint}/moto-api/`)).arrayBuffer(); return endpoint; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`moto did not start; see ${join(BENCH, 'moto.log')}`);
}

/** Runs argv as its own process group; resolves to wall seconds, exit code, stdout and the /proc samples. */
async function runMeasured(name, argv, env) {
  const err = openSync(join(BENCH, `${name}.log`), 'w');
  const motoCpu0 = procInfo(moto.pid)?.cpu ?? 0;
  const [busy0, self0] = [machineBusy(), process.cpuUsage()];
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', err], env: { ...process.env, ...env }, detached: true });
  current = child;
  closeSync(err);
  const stop = monitor(child.pid);
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise((ok) => child.once('exit', (c, s) => ok(c ?? s)));
  const wall = (performance.now() - t0) / 1000;
  const [sampled, self] = [stop(), process.cpuUsage(self0)];
  const motoCpu = (procInfo(moto.pid)?.cpu ?? 0) - motoCpu0;
  const treeCpu = [...sampled.procs.values()].reduce((sum, p) => sum + p.cpu, 0);
  const otherCpu = machineBusy() - busy0 - treeCpu - motoCpu - (self.user + self.system) / 1e6; // interference
  await new Promise((ok) => (child.stdout.readableEnded ? ok() : child.stdout.once('close', ok)));
  current = undefined;
  if (code !== 0) throw new Error(`${name} exited ${code}; see ${join(BENCH, `${name}.log`)}\n${stdout.slice(-2000)}`);
  return { wall, stdout, rootPid: child.pid, ...sampled, motoCpu, treeCpu, otherCpu };
}

async function main() {
  mkdirSync(BENCH, { recursive: true });
  const tree = ensureTree();
  console.log(`tree ${tree.dir}: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB; ${REPEAT} repetition(s)`);
  const endpoint = await startMoto();
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const keyFile = join(BENCH, 'aws-keys.ini');
  writeFileSync(keyFile, '[default]\naws_access_key_id=test\naws_secret_access_key=test\n', { mode: 0o600 });
  const awsBin = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).stdout?.trim() || 'aws'; // skip the pyenv shim
  const awsEnv = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' };
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const shellPipeline = (label, name, compress, ext) => ({ label, async run(rep) {
    const key = `bench/${name}-${rep}.${ext}`;
    const script = `tar -cf - -C ${q(tree.dir)} . | ${compress} | ${q(awsBin)} s3 cp - s3://${BUCKET}/${key} --endpoint-url ${endpoint} --only-show-errors`;
    return { ...(await runMeasured(`${name}-r${rep}`, ['bash', '-o', 'pipefail', '-c', script], awsEnv)), key };
  } });

  console.log('warming the page cache (tar | cat > /dev/null) ...');
  spawnSync('bash', ['-o', 'pipefail', '-c', `tar -cf - -C ${q(tree.dir)} . | cat > /dev/null`], { stdio: 'inherit' });

  const contestants = {
    agent: { label: 'backup-agent (zstd -3)', async run(rep) {
      const config = join(BENCH, `agent-r${rep}.yml`);
      writeFileSync(config, JSON.stringify({
        host: `bench-r${rep}`, state_dir: join(BENCH, 'state'), compression: { algorithm: 'zstd' },
        destination: {
          type: 's3', bucket: BUCKET, prefix: 'bench/', endpoint, force_path_style: true, credentials: { key_file: keyFile },
          // --part-size / --queue-size override the agent's defaults (to measure memory against them).
          ...(opt['part-size'] || opt['queue-size'] ? { upload: { ...(opt['part-size'] ? { part_size: opt['part-size'] } : {}), ...(opt['queue-size'] ? { queue_size: Number(opt['queue-size']) } : {}) } } : {}),
        },
        assets: [{ name: 'tree', type: 'files', paths: [tree.dir] }],
      }, null, 2));
      const r = await runMeasured(`agent-r${rep}`, [process.execPath, join(ROOT, 'bin/backup-agent'), 'run', '--config', config, '--json'], {});
      const art = JSON.parse(r.stdout).artifacts[0];
      if (art.status !== 'ok') throw new Error(`agent artifact status ${art.status}: ${art.error}`);
      return { ...r, key: art.key };
    } },
    gzip: shellPipeline('tar | gzip -6 | aws s3 cp', 'gzip', 'gzip -6', 'tar.gz'),
    zstd: shellPipeline('tar | zstd -3 -T0 | aws s3 cp', 'zstd', 'zstd -q -3 -T0', 'tar.zst'),
  };
  const names = opt.only.split(',').filter((n) => contestants[n]);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < REPEAT; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]); // rotate to spread order effects
    for (const name of order) {
      const r = await contestants[name].run(rep);
      r.stored = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: r.key }))).ContentLength;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'bench/' }));
      for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.Key }));
      const byName = {};
      for (const p of r.procs.values()) {
        const e = (byName[p.name] ??= { hwm: 0, cpu: 0 });
        [e.hwm, e.cpu] = [Math.max(e.hwm, p.hwm), e.cpu + p.cpu];
      }
      results[name].push({ wall: r.wall, stored: r.stored, nodeMiB: name === 'agent' ? r.procs.get(r.rootPid).hwm / 1024 : NaN, treeMiB: r.treePeakKb / 1024, byName, motoCpu: r.motoCpu, treeCpu: r.treeCpu, otherCpu: r.otherCpu });
      console.log(`  rep ${rep + 1} ${name}: ${r.wall.toFixed(2)} s, ${r.treeCpu.toFixed(1)} CPU s (+ moto ${r.motoCpu.toFixed(1)}, other processes ${r.otherCpu.toFixed(1)})`);
    }
  }
  s3.destroy();

  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  const m = Object.fromEntries(names.map((n) => {
    const rs = results[n];
    const med = (k) => median(rs.map((r) => r[k]));
    const mid = [...rs].sort((a, b) => a.wall - b.wall)[(rs.length - 1) >> 1];
    return [n, { wall: med('wall'), stored: med('stored'), nodeMiB: med('nodeMiB'), treeMiB: med('treeMiB'), cpu: med('treeCpu'), mid }];
  }));
  const a = m.agent;
  const pad = (s, w) => String(s).padStart(w);
  console.log(`\nsize ${opt.size} (${(tree.bytes / MiB).toFixed(0)} MiB, ${tree.files} files), median of ${REPEAT}, moto on 127.0.0.1, ${spawnSync('nproc').stdout.toString().trim()} CPUs`);
  console.log(`${'contestant'.padEnd(30)}${pad('wall s', 8)}${pad('MiB/s', 8)}${pad('stored bytes', 14)}${pad('ratio', 7)}${pad('node MiB', 10)}${pad('tree MiB', 10)}${pad('CPU s', 7)}${pad('vs agent', 10)}`);
  for (const n of names) {
    const r = m[n];
    const vs = !a || n === 'agent' ? '-' : n === 'gzip' ? `${(r.wall / a.wall).toFixed(2)}x` : `${(a.wall / r.wall).toFixed(2)}x`;
    console.log(`${contestants[n].label.padEnd(30)}${pad(r.wall.toFixed(2), 8)}${pad((tree.bytes / MiB / r.wall).toFixed(1), 8)}${pad(r.stored, 14)}${pad((tree.bytes / r.stored).toFixed(2), 7)}${pad(Number.isNaN(r.nodeMiB) ? '-' : r.nodeMiB.toFixed(1), 10)}${pad(r.treeMiB.toFixed(1), 10)}${pad(r.cpu.toFixed(1), 7)}${pad(vs, 10)}`);
  }
  console.log('(node MiB: the agent\'s node process peak; tree MiB: peak of summed RSS of the process tree; CPU s: whole tree, without moto)');
  console.log('(vs agent: gzip row = gzip time / agent time; zstd row = agent time / zstd time)');
  console.log('\nper process (median-wall run): peak RSS MiB / CPU s; moto and other processes: CPU s during the run');
  for (const n of names) {
    const parts = Object.entries(m[n].mid.byName).map(([k, v]) => `${k} ${(v.hwm / 1024).toFixed(0)}/${v.cpu.toFixed(1)}`);
    console.log(`  ${n.padEnd(6)} ${parts.join(', ')}; moto ${m[n].mid.motoCpu.toFixed(1)}; other processes ${m[n].mid.otherCpu.toFixed(1)}`);
  }
  const other = names.flatMap((n) => results[n]).reduce((sum, r) => sum + r.otherCpu, 0);
  const ours = names.flatMap((n) => results[n]).reduce((sum, r) => sum + r.treeCpu + r.motoCpu, 0);
  if (other > 0.1 * ours) console.log(`\nWARNING: other processes used ${other.toFixed(0)} CPU s during the runs (ours: ${ours.toFixed(0)}); wall times are disturbed, re-run when idle`);
  if (a) {
    const check = (ok, text) => console.log(`  [${ok ? 'PASS' : 'FAIL'}] ${text}`);
    console.log('\ntargets:');
    if (m.gzip) check(m.gzip.wall / a.wall >= 2, `agent >= 2x faster than gzip pipeline (${(m.gzip.wall / a.wall).toFixed(2)}x)`);
    if (m.zstd) check(a.wall / m.zstd.wall <= 1.1, `agent <= 1.1x zstd pipeline time (${(a.wall / m.zstd.wall).toFixed(2)}x)`);
    check(a.nodeMiB < 200, `agent node peak RSS < 200 MiB (${a.nodeMiB.toFixed(1)} MiB)`);
  }
}

try { await main(); } finally { cleanup(); } // moto dies even on error
