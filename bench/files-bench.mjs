// Benchmark: backup-agent's files asset vs `tar | gzip -6 | aws s3 cp -` and `tar | zstd -3 -T0 | aws s3 cp -`,
// and the agent again with a 10 s outage of the S3 endpoint injected at 50% of the upload (row `fault`).
//
// Usage (from the repository root, after `npm run build`):
//   node bench/files-bench.mjs [--size 1G] [--repeat 1] [--only agent,gzip,zstd,fault] [--part-size 8MiB] [--queue-size 4] [--baseline DIR] [--sparse 2G]
//
// - fault: the agent's endpoint is test/fixtures/fault-proxy.mjs in front of moto; once half of the
//   compressed size (measured once with tar | zstd -3) has passed it, the proxy refuses connections and
//   closes open ones for 10 s. Its wall time minus the agent's is what the outage cost (10 s + backoff).
// - Generates a deterministic tree in .bench/tree-<size> (reused while its .complete marker matches):
//   log-like text (~5-10x compressible), ~15% pseudo-random binary bytes, and up to 20,000 small
//   files (1-8 KiB) in nested directories. Sizes: 200M, 1G, 5G... (binary units).
// - Starts one moto server (test/fixtures/moto-launcher.py, no IAM enforcement, credentials test/test)
//   on a free port, creates a bucket, warms the page cache (tar | cat > /dev/null), then runs each
//   contestant --repeat times in a rotating order, deleting its objects afterwards so moto's state
//   is the same for every run. Reports median wall time, MiB/s of input, stored bytes and peak RSS
//   (polled from /proc every 50 ms: the agent's own node process, and the sum over the process tree).
// - --sparse SIZE adds .bench/sparse-SIZE/disk.img to what every contestant archives: a SIZE file that
//   is a hole but for 4 MiB of data at its start and end (a VM image, a database preallocation).
// - The tree is always kept (--keep is the default and accepted for clarity: generation is the slow
//   part); remove trees, configs, logs and state with `rm -rf .bench`.
// - Targets checked: agent >= 2x faster than the gzip pipeline, <= 1.1x the zstd pipeline's time,
//   agent node process peak RSS < 200 MiB. Other load on the machine is measured and warned about.
// Needs: python3 with moto[server], GNU tar, gzip, zstd, aws CLI. Logs go to .bench/*.log.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, openSync, closeSync, statSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ensureTree as ensureBenchTree } from './bench-tree.mjs';
import { benchOptions, check, createHarness, MiB, prepareS3, printResults, runRounds } from './measure.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const BUCKET = 'bench';
const {
  opt,
  target: TARGET,
  repeat: REPEAT,
} = benchOptions({
  size: '1G',
  sizes: '200M, 1G, 5G',
  extra: { keep: { type: 'boolean', default: true }, sparse: { type: 'string' } },
  only: 'agent,gzip,zstd,fault',
});
const OUTAGE_MS = 10_000;

const ensureTree = () => ensureBenchTree(BENCH, opt.size, TARGET);

/** With --sparse SIZE: a directory holding one SIZE sparse file (4 MiB of data at each end); else undefined. */
function ensureSparse() {
  if (!opt.sparse) return undefined;
  const match = /^(\d+)([MG])$/i.exec(opt.sparse);
  if (!match) throw new Error(`--sparse ${opt.sparse}: expected e.g. 2G or 512M`);
  const size = Number(match[1]) * (match[2].toUpperCase() === 'G' ? 1024 * MiB : MiB);
  const dir = join(BENCH, `sparse-${opt.sparse}`);
  const file = join(dir, 'disk.img');
  if (existsSync(file) && statSync(file).size === size) return { dir, size };
  mkdirSync(dir, { recursive: true });
  const fd = openSync(file, 'w');
  const data = Buffer.alloc(4 * MiB, 0x5a);
  writeSync(fd, data, 0, data.length, 0);
  writeSync(fd, data, 0, data.length, size - data.length);
  closeSync(fd);
  return { dir, size };
}

const { startMoto, addService, runMeasured, runAgent, cleanup } = createHarness(ROOT, BENCH); // moto and the running contestant die on exit and Ctrl-C

/** Starts the fault proxy in front of `endpoint`; resolves to its endpoint and `command(line)` (resolves on its `ok`). */
async function startFaultProxy(endpoint) {
  const proxy = addService(
    'fault-proxy',
    spawn(process.execPath, [join(ROOT, 'test/fixtures/fault-proxy.mjs'), '--target', new URL(endpoint).host], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = createInterface({ input: proxy.stdout });
  const next = (pattern) =>
    new Promise((ok) => {
      const on = (l) => {
        if (pattern.test(l)) {
          lines.off('line', on);
          ok(l);
        }
      };
      lines.on('line', on);
    });
  const port = (await next(/^listening \d+$/)).split(' ')[1];
  return {
    endpoint: `http://127.0.0.1:${port}`,
    command: (line) => {
      const acked = next(new RegExp(`^ok ${line}$`));
      proxy.stdin.write(`${line}\n`);
      return acked;
    },
  };
}

async function main() {
  mkdirSync(BENCH, { recursive: true });
  const tree = ensureTree();
  const sparse = ensureSparse();
  console.log(
    `tree ${tree.dir}: ${tree.files} files, ${(tree.bytes / MiB).toFixed(0)} MiB; ${REPEAT} repetition(s)${sparse ? `; plus ${sparse.dir}/disk.img (${(sparse.size / MiB).toFixed(0)} MiB, 8 MiB of data)` : ''}`,
  );
  const endpoint = await startMoto();
  const { s3, awsBin, awsEnv, destination } = await prepareS3({ endpoint, benchDir: BENCH, bucket: BUCKET, opt });
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const shellPipeline = (label, name, compress, ext) => ({
    label,
    async run(rep) {
      const key = `bench/${name}-${rep}.${ext}`;
      const members = sparse
        ? `-C ${q(BENCH)} ${q(basename(tree.dir))} ${q(basename(sparse.dir))}`
        : `-C ${q(tree.dir)} .`;
      const script = `tar -cf - ${members} | ${compress} | ${q(awsBin)} s3 cp - s3://${BUCKET}/${key} --endpoint-url ${endpoint} --only-show-errors`;
      return { ...(await runMeasured(`${name}-r${rep}`, ['bash', '-o', 'pipefail', '-c', script], awsEnv)), key };
    },
  });

  console.log('warming the page cache (tar | cat > /dev/null) ...');
  spawnSync('bash', ['-o', 'pipefail', '-c', `tar -cf - -C ${q(tree.dir)} . | cat > /dev/null`], { stdio: 'inherit' });

  const agent = (label, name, agentRoot, to = destination) => ({
    label,
    run: (rep) =>
      runAgent(
        `${name}-r${rep}`,
        {
          host: `${name}-r${rep}`,
          state_dir: join(BENCH, 'state'),
          compression: { algorithm: 'zstd' },
          destination: to,
          assets: [{ name: 'tree', type: 'files', paths: sparse ? [tree.dir, sparse.dir] : [tree.dir] }],
        },
        {},
        agentRoot,
      ),
  });
  let fault;
  if (opt.only.split(',').includes('fault')) {
    const proxy = await startFaultProxy(endpoint);
    const half = Math.round(
      Number(
        spawnSync('bash', ['-o', 'pipefail', '-c', `tar -cf - -C ${q(tree.dir)} . | zstd -q -3 -T0 | wc -c`]).stdout,
      ) / 2,
    );
    const outage = agent(`agent, ${OUTAGE_MS / 1000} s outage at 50%`, 'fault', ROOT, {
      ...destination,
      endpoint: proxy.endpoint,
    });
    fault = {
      label: outage.label,
      run: async (rep) => {
        await proxy.command(`after ${half} refuse ${OUTAGE_MS}`);
        return outage.run(rep);
      },
    };
  }
  const contestants = {
    agent: agent('backup-agent (zstd -3)', 'agent', ROOT),
    ...(opt.baseline ? { base: agent(`baseline ${opt.baseline}`.slice(0, 38), 'base', resolve(opt.baseline)) } : {}),
    gzip: shellPipeline('tar | gzip -6 | aws s3 cp', 'gzip', 'gzip -6', 'tar.gz'),
    zstd: shellPipeline('tar | zstd -3 -T0 | aws s3 cp', 'zstd', 'zstd -q -3 -T0', 'tar.zst'),
    ...(fault ? { fault } : {}),
  };
  const names = (opt.baseline && !opt.only.includes('base') ? `${opt.only},base` : opt.only)
    .split(',')
    .filter((n) => contestants[n]);
  const results = await runRounds({ contestants, names, repeat: REPEAT, s3, bucket: BUCKET });
  s3.destroy();

  const m = printResults({
    heading: `size ${opt.size} (${(tree.bytes / MiB).toFixed(0)} MiB, ${tree.files} files${sparse ? `, plus a ${opt.sparse} sparse file` : ''})`,
    inputBytes: tree.bytes,
    contestants,
    names,
    results,
    repeat: REPEAT,
  });
  const a = m.agent;
  if (a) {
    console.log('\ntargets:');
    if (m.gzip)
      check(m.gzip.wall / a.wall >= 2, `agent >= 2x faster than gzip pipeline (${(m.gzip.wall / a.wall).toFixed(2)}x)`);
    if (m.zstd)
      check(a.wall / m.zstd.wall <= 1.1, `agent <= 1.1x zstd pipeline time (${(a.wall / m.zstd.wall).toFixed(2)}x)`);
    check(a.nodeMiB < 200, `agent node peak RSS < 200 MiB (${a.nodeMiB.toFixed(1)} MiB)`);
    if (m.fault) {
      console.log(
        `\nfault row: +${(m.fault.wall - a.wall).toFixed(1)} s wall for a ${OUTAGE_MS / 1000} s outage at 50% of the upload ` +
          `(node peak RSS ${m.fault.nodeMiB.toFixed(1)} vs ${a.nodeMiB.toFixed(1)} MiB); printed, not a target`,
      );
    }
  }
}

try {
  await main();
} finally {
  cleanup();
} // moto dies even on error
