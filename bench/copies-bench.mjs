// Benchmark: one destination vs two (a second copy), the same data in one run, interleaved rounds.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/copies-bench.mjs [--size 256M] [--repeat 3]
//
// - Input: .bench/copies-<size>/ (kept; regenerated when missing): files of log-like text with ~25%
//   random bytes mixed in (zstd -3 makes ~40% of it), so the upload is a real fraction of the input.
// - One moto server (test/fixtures/moto-launcher.py, no IAM enforcement) on a free port; contestants,
//   each a fresh `backup-agent run --json` in its own process group, run --repeat times in rotating order:
//     one        destination: s3 (moto)
//     two-s3     destinations: the same moto twice (prefixes a/ and b/): twice the upload, one read
//     s3+local   destinations: moto and a local directory
//   After each run the bucket and the local copy are emptied, so every run starts from the same state.
// - Prints, side by side: median wall time, MiB/s of input, peak RSS of the agent's node process and
//   of its whole tree (VmHWM / summed VmRSS polled every 50 ms), the agent's CPU seconds and moto's.
//   No targets are asserted: on this 2-core box moto's CPU competes with the agent's, so a second S3
//   copy to the same moto costs more here than it would against two real endpoints.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { benchOptions, createHarness, median, MiB, prepareS3 } from './measure.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const BUCKET = 'bench';
const {
  opt,
  target: SIZE,
  repeat: REPEAT,
} = benchOptions({ size: '256M', sizes: '64M, 256M, 1G', only: 'one,two-s3,s3+local' });
const NAMES = opt.only.split(',');
const { startMoto, runMeasured, cleanup } = createHarness(ROOT, BENCH);

/** Log-like text with random bytes mixed in, in 32 MiB files. */
function ensureInput() {
  const dir = join(BENCH, `copies-${opt.size}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (let written = 0; written < SIZE; n++) {
    const size = Math.min(32 * MiB, SIZE - written);
    const parts = [];
    for (let at = 0; at < size; at += MiB) {
      const chunk = Math.min(MiB, size - at);
      if ((at / MiB) % 4 === 3) parts.push(randomBytes(chunk));
      else {
        const lines = [];
        for (let len = 0; len < chunk;) {
          const line = `2026-12-05T18:${String(n % 60).padStart(2, '0')}:${String(len % 60).padStart(2, '0')}Z GET /api/items/${(len * 7919) % 100000} 200 ${(len * 31) % 5000}ms user=${(len * 13) % 977}\n`;
          lines.push(line);
          len += line.length;
        }
        parts.push(Buffer.from(lines.join('')).subarray(0, chunk));
      }
    }
    writeFileSync(join(dir, `part-${n}.log`), Buffer.concat(parts));
    written += size;
  }
  writeFileSync(marker, '');
  return dir;
}

async function emptyBucket(s3) {
  const { DeleteObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    if (!listed.Contents?.length) return;
    for (const o of listed.Contents) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.Key }));
  }
}

async function main() {
  mkdirSync(BENCH, { recursive: true });
  const input = ensureInput();
  const endpoint = await startMoto();
  const { s3, destination } = await prepareS3({ endpoint, benchDir: BENCH, bucket: BUCKET, opt });
  const local = join(BENCH, 'copies-local');
  const destinations = {
    one: { destination },
    'two-s3': {
      destinations: [
        { ...destination, name: 'a', prefix: 'bench/a/' },
        { ...destination, name: 'b', prefix: 'bench/b/' },
      ],
    },
    's3+local': {
      destinations: [
        { ...destination, name: 's3' },
        { name: 'disk', type: 'local', path: local },
      ],
    },
  };
  spawnSync('bash', ['-c', `cat ${input}/* > /dev/null`]); // warm the page cache
  console.log(
    `input ${input}: ${(SIZE / MiB).toFixed(0)} MiB; ${REPEAT} repetition(s); contestants ${NAMES.join(', ')}`,
  );
  const results = Object.fromEntries(NAMES.map((n) => [n, []]));
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const name of NAMES.map((_, i) => NAMES[(i + rep) % NAMES.length])) {
      const config = join(BENCH, `copies-${name}.yml`);
      writeFileSync(
        config,
        JSON.stringify({
          host: `copies-r${rep}`,
          state_dir: join(BENCH, 'copies-state'),
          compression: { algorithm: 'zstd' },
          ...destinations[name],
          assets: [{ name: 'data', type: 'files', paths: [input] }],
        }),
      );
      const r = await runMeasured(`copies-${name}-r${rep}`, [
        process.execPath,
        join(ROOT, 'bin/backup-agent'),
        'run',
        '--config',
        config,
        '--json',
      ]);
      const report = JSON.parse(r.stdout);
      if (report.status !== 'ok') throw new Error(`${name}: run ${report.status}: ${report.error ?? ''}`);
      results[name].push({
        wall: r.wall,
        nodeMiB: r.procs.get(r.rootPid).hwm / 1024,
        treeMiB: r.treePeakKb / 1024,
        cpu: r.treeCpu,
        moto: r.servicesCpu.moto ?? 0,
        stored: report.artifacts[0].bytes_stored,
      });
      console.log(`  rep ${rep + 1} ${name}: ${r.wall.toFixed(2)} s`);
      await emptyBucket(s3);
      rmSync(local, { recursive: true, force: true });
    }
  }
  const rows = NAMES.map((n) => {
    const med = (k) => median(results[n].map((r) => r[k]));
    return [
      n,
      `${med('wall').toFixed(2)} s`,
      `${(SIZE / MiB / med('wall')).toFixed(0)}`,
      `${med('nodeMiB').toFixed(0)} MiB`,
      `${med('treeMiB').toFixed(0)} MiB`,
      `${med('cpu').toFixed(1)}`,
      `${med('moto').toFixed(1)}`,
      `${(med('stored') / MiB).toFixed(0)} MiB`,
    ];
  });
  const header = [
    'contestant',
    'wall (median)',
    'MiB/s of input',
    'node peak RSS',
    'tree peak RSS',
    'agent CPU s',
    'moto CPU s',
    'stored per copy',
  ];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanup);
