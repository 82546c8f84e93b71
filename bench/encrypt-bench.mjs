// Benchmark: the encryption stage's engines (age binary via our Duplex, age-encryption JS) against the plain `age` CLI.
//
// Usage (from the repository root, after `npm run build`):
//   node bench/encrypt-bench.mjs [--size 256M] [--repeat 3]
//
// - Input: --size of random bytes in .bench/encrypt-input-<size> (kept; what reaches encryption is
//   usually compressed already, so incompressible data is the realistic case). Page cache warmed first.
// - Contestants, each a fresh process in its own process group, run --repeat times in rotating order:
//     read     node reads the file into a discarding sink (the floor: what the source costs)
//     binary   planEncryptor (age on PATH) -> its Duplex (execa .duplex() around `age -e -r R`)
//     js       planEncryptor with a PATH lacking age -> age-encryption streaming in the node process
//     age-cli  `age -e -r R < input > /dev/null`, no node involved (reference)
// - Reports the median time of the stream itself (node contestants: the second of two passes, timed
//   inside the process, so start-up and JIT warm-up are left out; age-cli: wall time), MiB/s of input, ratios to age-cli and js, peak RSS of the node process
//   and of the whole tree (summed VmRSS polled every 20 ms from /proc), and CPU used by everything
//   else on the machine during the runs (a busy machine makes the numbers lower, not wrong).
// Needs: age (apt-get install age). Remove the input with `rm -rf .bench/encrypt-input-*`.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, openSync, closeSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, '.bench');
const MiB = 1024 * 1024;
const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '256M' },
    repeat: { type: 'string', default: '3' },
    worker: { type: 'string' },
    input: { type: 'string' },
    recipient: { type: 'string' },
  },
});

// ---------- worker: one contestant inside node ----------
if (opt.worker) {
  const { planEncryptor } = await import('../dist/transforms/encrypt.js');
  const plan =
    opt.worker === 'read'
      ? undefined
      : await planEncryptor(
          { age_recipients: [opt.recipient], age_binary: 'auto' },
          opt.worker === 'js' ? { PATH: join(BENCH, 'no-such-dir') } : process.env,
        );
  if (plan) process.stderr.write(`${plan.engine}\n`);
  const pass = async () => {
    let bytes = 0;
    const sink = new Writable({
      highWaterMark: MiB,
      write(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    const t0 = performance.now();
    await pipeline(createReadStream(opt.input), ...(plan ? [plan.create(new AbortController().signal)] : []), sink);
    return { bytes, seconds: (performance.now() - t0) / 1000 };
  };
  await pass(); // warm-up: JIT and page cache, as in a long-running agent
  process.stdout.write(JSON.stringify(await pass()));
  process.exit(0);
}

const { machineBusy, monitor } = await import('./measure.mjs'); // not in the workers, whose memory is measured
let current;
const cleanup = () => {
  try {
    if (current?.pid) process.kill(-current.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });

/** Runs argv in its own process group with the given stdio; resolves to wall seconds, peaks and CPU. */
async function measure(name, argv, stdio) {
  const log = openSync(join(BENCH, `encrypt-${name}.log`), 'w');
  const busy0 = machineBusy();
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: [stdio?.[0] ?? 'ignore', stdio?.[1] ?? 'pipe', log],
    detached: true,
  });
  current = child;
  const { sample, stop } = monitor(child.pid, 20);
  let stdout = '';
  child.stdout?.on('data', (d) => (stdout += d));
  const code = await new Promise((ok) =>
    child.once('exit', (c, s) => {
      sample();
      ok(c ?? s);
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const { procs, treePeakKb: treePeak } = stop();
  closeSync(log);
  current = undefined;
  if (code !== 0) throw new Error(`${name} exited ${code}; see .bench/encrypt-${name}.log`);
  const treeCpu = [...procs.values()].reduce((sum, p) => sum + p.cpu, 0);
  const nodePeak = [...procs.values()].filter((p) => p.name === 'node').reduce((max, p) => Math.max(max, p.hwm), 0);
  return {
    wall,
    stdout,
    treePeakKb: treePeak,
    nodePeakKb: nodePeak,
    treeCpu,
    otherCpu: machineBusy() - busy0 - treeCpu,
  };
}

async function ensureInput(bytes) {
  const file = join(BENCH, `encrypt-input-${opt.size}`);
  if (existsSync(file) && statSync(file).size === bytes) return file;
  const out = createWriteStream(`${file}.tmp`);
  for (let written = 0; written < bytes; written += MiB) {
    if (!out.write(randomBytes(Math.min(MiB, bytes - written)))) await new Promise((ok) => out.once('drain', ok));
  }
  await new Promise((ok, fail) => out.end((e) => (e ? fail(e) : ok())));
  renameSync(`${file}.tmp`, file);
  return file;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const m = /^(\d+)([KMG])i?B?$/i.exec(opt.size);
  if (!m) throw new Error(`--size ${opt.size}: expected e.g. 64M, 256M, 1G`);
  const bytes = Number(m[1]) * { K: 1024, M: MiB, G: 1024 * MiB }[m[2].toUpperCase()];
  const repeat = Math.max(1, Number(opt.repeat) | 0);
  if (!existsSync(join(ROOT, 'dist/transforms/encrypt.js'))) throw new Error('run `npm run build` first');
  await mkdir(BENCH, { recursive: true });
  const input = await ensureInput(bytes);
  const { generateX25519Identity, identityToRecipient } = await import('age-encryption');
  const recipient = await identityToRecipient(await generateX25519Identity());
  await pipeline(
    createReadStream(input),
    new Writable({
      write(_c, _e, cb) {
        cb();
      },
    }),
  ); // warm the page cache

  const self = [process.execPath, import.meta.filename];
  const contestants = {
    read: () => measure('read', [...self, '--worker', 'read', '--input', input]),
    binary: () => measure('binary', [...self, '--worker', 'binary', '--input', input, '--recipient', recipient]),
    js: () => measure('js', [...self, '--worker', 'js', '--input', input, '--recipient', recipient]),
    'age-cli': async () => {
      const [stdin, stdout] = [openSync(input, 'r'), openSync('/dev/null', 'w')];
      try {
        return await measure('age-cli', ['age', '-e', '-r', recipient], [stdin, stdout]);
      } finally {
        closeSync(stdin);
        closeSync(stdout);
      }
    },
  };
  const names = Object.keys(contestants);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  console.log(
    `input ${input}: ${(bytes / MiB).toFixed(0)} MiB random; ${repeat} repetition(s), rotating order; node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`,
  );
  for (let r = 0; r < repeat; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      const result = await contestants[name]();
      result.seconds = name === 'age-cli' ? result.wall : JSON.parse(result.stdout).seconds;
      if (name !== 'read' && name !== 'age-cli' && JSON.parse(result.stdout).bytes <= bytes)
        throw new Error(`${name}: output not larger than input`);
      results[name].push(result);
      process.stderr.write(`  run ${r + 1} ${name}: ${(bytes / MiB / result.seconds).toFixed(0)} MiB/s\n`);
    }
  }
  const speed = Object.fromEntries(names.map((n) => [n, bytes / MiB / median(results[n].map((x) => x.seconds))]));
  const rows = names.map((n) => {
    const rs = results[n];
    return [
      n,
      median(rs.map((x) => x.seconds)).toFixed(2),
      speed[n].toFixed(0),
      (speed[n] / speed['age-cli']).toFixed(2),
      (speed[n] / speed.js).toFixed(1),
      n === 'age-cli' ? '-' : (Math.max(...rs.map((x) => x.nodePeakKb)) / 1024).toFixed(0),
      (Math.max(...rs.map((x) => x.treePeakKb)) / 1024).toFixed(0),
      median(rs.map((x) => x.treeCpu)).toFixed(1),
      median(rs.map((x) => x.otherCpu)).toFixed(1),
    ];
  });
  const header = [
    'contestant',
    'stream s',
    'MiB/s',
    'x age-cli',
    'x js',
    'node peak MiB',
    'tree peak MiB',
    'cpu s',
    'other cpu s',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(
    [
      line(header),
      `|${widths.map((w, i) => '-'.repeat(w + 1) + (i === 0 ? '-' : ':')).join('|')}|`,
      ...rows.map(line),
    ].join('\n'),
  );
  console.log(
    "cpu s: CPU seconds of the contestant's process tree (node contestants: both passes); other cpu s: CPU seconds used\nby other processes on the machine meanwhile (interference: with 2 CPUs, more than ~1 s per second of run skews the numbers).",
  );
}

await main();
