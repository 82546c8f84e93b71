// The deterministic bench corpus shared by the files benchmarks (files-bench.mjs, files-incremental-bench.mjs).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MiB = 1024 * 1024;

function mulberry32(seed) {
  // a seeded PRNG in [0, 1)
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    const t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    const u = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((u ^ (u >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const hex = (rnd) =>
  Math.floor(rnd() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
const PATHS = [
  '/api/v1/orders',
  '/api/v1/users',
  '/api/v1/cart',
  '/api/v2/search',
  '/static/app.js',
  '/healthz',
  '/login',
  '/img/logo.png',
];
const UAS = [
  'Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0',
  'Mozilla/5.0 (Macintosh) Safari/605.1.15',
  'curl/8.5.0',
  'kube-probe/1.30',
  'Go-http-client/2.0',
];
const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const SERVICES = ['order.service', 'auth.session', 'payment.gateway', 'db.pool', 'cache.redis', 'mailer.queue'];
const MESSAGES = [
  'processed order',
  'user logged in',
  'cache miss, loading from db',
  'slow query detected',
  'retrying upstream request',
  'connection returned to pool',
  'job finished',
];

const NUM = Array.from({ length: 10000 }, (_, i) => String(i)); // number-to-string is the slow part
const PAD3 = NUM.slice(0, 1000).map((n) => n.padStart(3, '0'));

/** Returns fill(buf): fills buf with log lines (access or application style); a line may be cut at the end. */
function logWriter(rnd, access) {
  let t = Date.UTC(2026, 10, 1) + Math.floor(rnd() * 86400e3);
  let [id, second, prefix] = [Math.floor(rnd() * 1e6), -1, ''];
  const skewed = (n) => Math.floor(rnd() * rnd() * n); // a few values are frequent, like real traffic
  return (buf) => {
    // Writing each short-lived line straight into the buffer keeps the GC idle (an array of lines does not).
    for (let off = 0; off < buf.length;) {
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
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  s.x = x;
}

function writeBigFile(path, size, nextChunk) {
  // nextChunk(n) returns a Buffer of n bytes
  const fd = openSync(path, 'w');
  for (let written = 0; written < size;) written += writeSync(fd, nextChunk(Math.min(4 * MiB, size - written)));
  closeSync(fd);
  return size;
}

/**
 * The bench corpus in `bench/tree-SIZE` (reused while its .complete marker matches): log-like text,
 * ~15% pseudo-random binary, up to 20,000 small files. Returns its directory, bytes and files.
 */
export function ensureTree(bench, size, target) {
  const dir = join(bench, `tree-${size}`);
  const marker = join(dir, '.complete');
  const spec = { version: 2, target };
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.version === spec.version && m.target === spec.target) return { dir, ...m };
  }
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  const rnd = mulberry32(42);
  let [bytes, files] = [0, 0];
  // Small files: up to 20,000 of 1-8 KiB (~9% of the tree), in small/dNN/eNN/.
  const smallCount = Math.min(20000, Math.floor((target * 0.09) / 4608));
  const small = logWriter(mulberry32(7), false);
  for (let i = 0; i < smallCount; i++) {
    const sub = join(
      dir,
      'small',
      `d${String(i % 20).padStart(2, '0')}`,
      `e${String(Math.floor(i / 20) % 25).padStart(2, '0')}`,
    );
    if (i < 500) mkdirSync(sub, { recursive: true });
    const content = small(Buffer.allocUnsafe(1024 + Math.floor(rnd() * 7 * 1024)));
    writeFileSync(join(sub, `f${i}.${pick(rnd, ['conf', 'json', 'log', 'txt'])}`), content);
    [bytes, files] = [bytes + content.length, files + 1];
  }
  // Binary-ish files: 15% of the tree, incompressible, 4-48 MiB each.
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  const state = { x: 0x9e3779b9 };
  const chunk = Buffer.allocUnsafeSlow(4 * MiB);
  for (let left = Math.floor(target * 0.15), i = 0; left > 0; i++) {
    const size = Math.min(left, (4 + Math.floor(rnd() * 44)) * MiB);
    bytes += writeBigFile(join(dir, 'blobs', `blob-${i}.bin`), size, (n) => {
      fillRandom(chunk, state);
      return chunk.subarray(0, n);
    });
    [left, files] = [left - size, files + 1];
  }
  // Logs: the rest, 2-40 MiB per file, alternating access and application logs.
  mkdirSync(join(dir, 'logs', 'archive'), { recursive: true });
  for (let i = 0; bytes < target; i++) {
    const size = Math.min(target - bytes, (2 + Math.floor(rnd() * 38)) * MiB);
    const gen = logWriter(mulberry32(1000 + i), i % 2 === 0);
    const name = i % 2 === 0 ? `access-${i}.log` : `app-${i}.log`;
    bytes += writeBigFile(join(dir, 'logs', i % 3 === 0 ? 'archive' : '', name), size, (n) =>
      gen(chunk.subarray(0, n)),
    );
    files += 1;
  }
  const m = { ...spec, bytes, files };
  writeFileSync(marker, JSON.stringify(m));
  console.log(
    `generated ${dir}: ${files} files, ${(bytes / MiB).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { dir, ...m };
}
