// Benchmark: a files differential (GNU tar --listed-incremental) vs a full of the same tree, side by side
// in one run, interleaved: each round makes a full (fresh state_dir), changes 1% of the files (a line
// appended to each: the whole file is stored again), then makes the differential against that full.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/files-incremental-bench.mjs [--size 1G] [--repeat 3] [--changed 1]
//
// - The corpus is bench-tree.mjs's (.bench/tree-SIZE, generated once and reused); the rounds work on a
//   copy (.bench/incremental-work), so the corpus stays as generated.
// - Destination: a local directory (.bench/incremental-store, emptied after each run), so the numbers
//   are the agent's (tar, zstd, sha256, write) and not an S3 server's on the same two cores.
// - Wall time is the whole `backup-agent run` (node start included); stored bytes from its --json report.
// Prints numbers only: there are no timed assertions.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTree } from './bench-tree.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const MiB = 1024 * 1024;
const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    repeat: { type: 'string', default: '3' },
    changed: { type: 'string', default: '1' },
  },
});
const match = /^(\d+)([MG])$/i.exec(opt.size);
if (!match) throw new Error(`--size ${opt.size}: expected e.g. 200M or 1G`);
const target = Number(match[1]) * (match[2].toUpperCase() === 'G' ? 1024 : 1) * MiB;

/** Every regular file under `dir`, sorted (a stable order to pick the changed ones from). */
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Runs the agent once; returns wall seconds, stored bytes and the artifact's incremental record. */
function runAgent(config) {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/backup-agent'), 'run', '-c', config, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (result.status !== 0) throw new Error(`backup-agent run exited ${result.status}: ${result.stderr.slice(-2000)}`);
  const [artifact] = JSON.parse(result.stdout).artifacts;
  return { seconds, stored: artifact.bytes_stored, read: artifact.bytes_read, level: artifact.incremental?.level };
}

function main() {
  const tree = ensureTree(BENCH, opt.size, target);
  const work = join(BENCH, 'incremental-work');
  const store = join(BENCH, 'incremental-store');
  const state = join(BENCH, 'incremental-state');
  rmSync(work, { recursive: true, force: true });
  const copied = spawnSync('cp', ['-a', tree.dir, work]);
  if (copied.status !== 0) throw new Error(`cp -a failed: ${copied.stderr}`);
  const files = listFiles(work);
  const config = join(BENCH, 'incremental.yml');
  writeFileSync(
    config,
    JSON.stringify({
      host: 'bench',
      state_dir: state,
      retention: { daily: 7, weekly: 28, monthly: 365 },
      destination: { type: 'local', path: store },
      assets: [{ name: 'tree', type: 'files', paths: [work], incremental: { full_every: '7d' } }],
    }),
  );
  spawnSync('sh', ['-c', `tar -cf - -C / ${JSON.stringify(work.slice(1))} | cat > /dev/null`]); // warm the page cache
  const perRound = Math.max(1, Math.round((files.length * Number(opt.changed)) / 100));
  console.log(
    `corpus ${tree.dir}: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB; ${opt.changed}% changed = ${perRound} files per round; ${opt.repeat} rounds`,
  );
  const rows = [];
  for (let round = 1; round <= Number(opt.repeat); round++) {
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state, { recursive: true });
    const full = runAgent(config);
    rmSync(store, { recursive: true, force: true });
    let changedBytes = 0;
    for (let i = 0; i < perRound; i++) {
      const file = files[(i * 97 + round * 13) % files.length];
      const line = `changed in round ${round} at ${new Date().toISOString()}\n`;
      appendFileSync(file, line);
      changedBytes += line.length;
    }
    const diff = runAgent(config);
    rmSync(store, { recursive: true, force: true });
    if (full.level !== 0 || diff.level !== 1)
      throw new Error(`expected a full then a differential, got ${full.level}, ${diff.level}`);
    rows.push({ round, full, diff, changedBytes });
  }
  const mib = (b) => (b / MiB).toFixed(1);
  const pct = (a, b) => `${((100 * a) / b).toFixed(1)}%`;
  console.log(
    '\n| round | full wall s | full stored MiB | differential wall s | differential stored MiB | diff/full wall | diff/full stored |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const { round, full, diff } of rows)
    console.log(
      `| ${round} | ${full.seconds.toFixed(2)} | ${mib(full.stored)} | ${diff.seconds.toFixed(2)} | ${mib(diff.stored)} | ${pct(diff.seconds, full.seconds)} | ${pct(diff.stored, full.stored)} |`,
    );
  rmSync(work, { recursive: true, force: true });
}

main();
