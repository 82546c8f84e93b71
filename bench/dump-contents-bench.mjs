// Benchmark of the manifest's `contents` scanner (src/sources/mysql/dump-contents.ts) on a big dump:
// the dump read in 64 KiB chunks (as mariadb-dump's stdout arrives under stdbuf) with only the byte count
// plan-mysql always did, then with the scanner too. Prints MiB/s of each and the scanner's CPU per GiB.
//
// Usage (after `npm run build`): node bench/dump-contents-bench.mjs [--dump FILE.sql] [--mib 512] [--repeat 3]
// Without --dump, a mariadb-dump-shaped file of --mib MiB is generated under .bench/ (extended inserts of
// ints, strings with quotes, commas, parentheses and escapes, hex blobs).
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const { values: opt } = parseArgs({
  options: {
    dump: { type: 'string' },
    mib: { type: 'string', default: '512' },
    repeat: { type: 'string', default: '3' },
  },
});
const module = join(ROOT, 'dist/sources/mysql/dump-contents.js');
if (!existsSync(module)) throw new Error('run `npm run build` first');
const { DumpContentsScanner } = await import(module);

function generate(path, mib) {
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  writeFileSync(path, '-- MariaDB dump\nCREATE TABLE `t` (`id` int, `s` text, `b` blob);\n');
  const row = (i) =>
    `(${i},'row ${i}: it\\'s (a), b; \\\\ c',0x${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}DEADBEEF)`;
  let i = 0;
  while (statSync(path).size < mib * 1024 * 1024) {
    const rows = [];
    for (let k = 0; k < 2000; k++) rows.push(row(i++));
    let text = '';
    for (let s = 0; s < 10; s++) text += `INSERT INTO \`t\` VALUES ${rows.slice(s * 200, s * 200 + 200).join(',')};\n`;
    appendFileSync(path, text);
  }
  appendFileSync(path, '-- Dump completed on 2026-12-05 13:00:00\n');
  return i;
}

async function pass(path, scan) {
  const scanner = scan ? new DumpContentsScanner() : undefined;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    bytes += chunk.length;
    scanner?.write(chunk);
  }
  const contents = scanner?.result();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { bytes, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, contents };
}

const path = opt.dump ?? join(ROOT, '.bench', `dump-contents-${opt.mib}MiB.sql`);
if (!opt.dump && !existsSync(path)) console.log(`generated ${path}: ${generate(path, Number(opt.mib))} rows`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { count: [], scan: [] };
for (let r = 0; r < Number(opt.repeat); r++) {
  runs.count.push(await pass(path, false));
  runs.scan.push(await pass(path, true));
}
const mib = runs.count[0].bytes / 1024 / 1024;
const row = (name, xs) => {
  const s = median(xs.map((x) => x.seconds));
  const c = median(xs.map((x) => x.cpuSeconds));
  return `| ${name} | ${s.toFixed(2)} | ${(mib / s).toFixed(0)} | ${((c / mib) * 1024).toFixed(2)} |`;
};
console.log(`dump ${path}: ${mib.toFixed(0)} MiB, median of ${opt.repeat}`);
console.log('| pass | wall s | MiB/s | CPU s per GiB |\n|---|---|---|---|');
console.log(row('byte count only (before)', runs.count));
console.log(row('byte count + contents scanner', runs.scan));
const rows = Object.values(runs.scan[0].contents?.rows ?? {}).reduce((a, b) => a + b, 0);
console.log(`scanner result: ${JSON.stringify({ ...runs.scan[0].contents, rows: `${rows} rows` })}`);
