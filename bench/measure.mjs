// Shared by the bench/*.mjs scripts: /proc sampling of process trees (peak RSS, CPU seconds, machine load),
// and for the S3 benches a harness: moto on a free port, measured runs in their own process group,
// contestants run in rotating rounds, and the result table.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const MiB = 1024 * 1024;

// ---------- /proc sampling ----------
/** `root` and all its descendants (via /proc/PID/task/TID/children). */
export function descendants(root) {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        pids.push(
          ...readFileSync(`/proc/${pids[i]}/task/${t}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number),
        );
      } catch {
        /* exited */
      }
    }
  }
  return pids;
}
/** Name, RSS and peak RSS (KiB) and CPU seconds (user + system) of `pid`, or undefined once it is gone. */
export function procInfo(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kb = (re) => Number(re.exec(status)?.[1] ?? 0);
    return {
      name: /^Name:\s+(.*)$/m.exec(status)[1],
      rss: kb(/VmRSS:\s+(\d+)/),
      hwm: kb(/VmHWM:\s+(\d+)/),
      cpu: (Number(f[11]) + Number(f[12])) / 100,
    };
  } catch {
    return undefined;
  }
}
/** CPU seconds the whole machine spent busy so far (all CPUs, from /proc/stat). */
export function machineBusy() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}
/**
 * Polls the tree under `root` every `intervalMs`: per-pid peak (VmHWM) and CPU seconds, and the peak of the
 * summed VmRSS. `sample()` takes one more sample; `stop()` ends polling and returns { procs, treePeakKb }.
 */
export function monitor(root, intervalMs = 50) {
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
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      return { procs, treePeakKb: treePeak };
    },
  };
}

// ---------- harness of the S3 benches ----------
/**
 * Parses the options every S3 bench takes (--size, --repeat, --only, --part-size, --queue-size, --baseline) plus `extra`;
 * resolves --size (binary units: 200M, 1G) to bytes. `sizes` lists examples for the error message.
 */
export function benchOptions({ size, sizes, extra = {}, only = 'agent,gzip,zstd' }) {
  const { values: opt } = parseArgs({
    options: {
      size: { type: 'string', default: size },
      repeat: { type: 'string', default: '1' },
      only: { type: 'string', default: only },
      baseline: { type: 'string' },
      ...extra,
      'part-size': { type: 'string' },
      'queue-size': { type: 'string' },
    },
  });
  const units = { K: 1024, M: MiB, G: 1024 * MiB };
  const sizeMatch = /^(\d+(?:\.\d+)?)([KMG])i?B?$/i.exec(opt.size);
  if (!sizeMatch) throw new Error(`--size ${opt.size}: expected e.g. ${sizes}`);
  return {
    opt,
    target: Math.round(Number(sizeMatch[1]) * units[sizeMatch[2].toUpperCase()]),
    repeat: Math.max(1, Number(opt.repeat) | 0),
  };
}

/**
 * Creates `bucket` on moto; resolves to an S3 client, the aws CLI (past the pyenv shim) and its environment,
 * and the agent's `destination` (credentials from a key file; --part-size / --queue-size override its defaults).
 */
export async function prepareS3({ endpoint, benchDir, bucket, opt }) {
  const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keyFile = join(benchDir, 'aws-keys.ini');
  writeFileSync(keyFile, '[default]\naws_access_key_id=test\naws_secret_access_key=test\n', { mode: 0o600 });
  const awsBin = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).stdout?.trim() || 'aws'; // skip the pyenv shim
  const awsEnv = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' };
  const destination = {
    type: 's3',
    bucket,
    prefix: 'bench/',
    endpoint,
    force_path_style: true,
    credentials: { key_file: keyFile },
    // --part-size / --queue-size override the agent's defaults (to measure memory against them).
    ...(opt['part-size'] || opt['queue-size']
      ? {
          upload: {
            ...(opt['part-size'] ? { part_size: opt['part-size'] } : {}),
            ...(opt['queue-size'] ? { queue_size: Number(opt['queue-size']) } : {}),
          },
        }
      : {}),
  };
  return { s3, awsBin, awsEnv, destination };
}

export const freePort = () =>
  new Promise((ok, fail) => {
    const srv = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address();
        srv.close(() => ok(port));
      });
  });
const tryKill = (pid) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
};
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The run's helper processes and measured runs. Services (moto, a database server) are SIGKILLed with the
 * contestant running now on exit, on SIGINT/SIGTERM (exit status 130) and by cleanup(); their CPU seconds
 * during each run are reported apart from the contestant's tree and from other processes on the machine.
 * Logs go to `benchDir`/NAME.log.
 */
export function createHarness(root, benchDir) {
  const services = new Map(); // name -> ChildProcess
  let current; // the contestant running now
  const cleanup = () => {
    current?.pid && tryKill(-current.pid);
    for (const s of services.values()) if (s.pid && s.exitCode === null && s.signalCode === null) tryKill(s.pid);
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });

  /** Registers a started service (killed by cleanup, its CPU reported per run). */
  const addService = (name, child) => {
    services.set(name, child);
    return child;
  };

  /** Starts moto (no IAM enforcement, credentials test/test) on a free port; resolves to its endpoint. */
  async function startMoto() {
    const port = await freePort();
    const log = openSync(join(benchDir, 'moto.log'), 'w');
    const moto = addService(
      'moto',
      spawn('python3', [join(root, 'test/fixtures/moto-launcher.py'), '-H', '127.0.0.1', '-p', String(port)], {
        stdio: ['ignore', log, log],
        env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_LAUNCHER_PARENT_PID: String(process.pid) },
      }),
    );
    closeSync(log);
    const endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300 && moto.exitCode === null; i++) {
      try {
        await (await fetch(`${endpoint}/moto-api/`)).arrayBuffer();
        return endpoint;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`moto did not start; see ${join(benchDir, 'moto.log')}`);
  }

  /** Runs argv as its own process group; resolves to wall seconds, exit code, stdout and the /proc samples. */
  async function runMeasured(name, argv, env) {
    const err = openSync(join(benchDir, `${name}.log`), 'w');
    const serviceCpu = () => Object.fromEntries([...services].map(([n, s]) => [n, procInfo(s.pid)?.cpu ?? 0]));
    const services0 = serviceCpu();
    const [busy0, self0] = [machineBusy(), process.cpuUsage()];
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', err],
      env: { ...process.env, ...env },
      detached: true,
    });
    current = child;
    closeSync(err);
    const { stop } = monitor(child.pid);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise((ok) => child.once('exit', (c, s) => ok(c ?? s)));
    const wall = (performance.now() - t0) / 1000;
    const [sampled, self] = [stop(), process.cpuUsage(self0)];
    const services1 = serviceCpu();
    const servicesCpu = Object.fromEntries(Object.keys(services1).map((n) => [n, services1[n] - (services0[n] ?? 0)]));
    const treeCpu = [...sampled.procs.values()].reduce((sum, p) => sum + p.cpu, 0);
    const busy = Object.values(servicesCpu).reduce((sum, c) => sum + c, 0);
    const otherCpu = machineBusy() - busy0 - treeCpu - busy - (self.user + self.system) / 1e6; // interference
    await new Promise((ok) => (child.stdout.readableEnded ? ok() : child.stdout.once('close', ok)));
    current = undefined;
    if (code !== 0)
      throw new Error(`${name} exited ${code}; see ${join(benchDir, `${name}.log`)}\n${stdout.slice(-2000)}`);
    return { wall, stdout, rootPid: child.pid, ...sampled, servicesCpu, treeCpu, otherCpu };
  }

  /**
   * Writes `config` (JSON, which is YAML) to `benchDir`/NAME.yml and measures `backup-agent run --json` on it; the
   * artifact must be ok. `agentRoot` is the checkout whose bin/backup-agent runs (default: this one; --baseline DIR
   * runs another build, e.g. the previous commit, as contestant `base` in the same rounds).
   */
  async function runAgent(name, config, env = {}, agentRoot = root) {
    const path = join(benchDir, `${name}.yml`);
    writeFileSync(path, JSON.stringify(config, null, 2));
    const r = await runMeasured(
      name,
      [process.execPath, join(agentRoot, 'bin/backup-agent'), 'run', '--config', path, '--json'],
      env,
    );
    const art = JSON.parse(r.stdout).artifacts[0];
    if (art.status !== 'ok') throw new Error(`agent artifact status ${art.status}: ${art.error}`);
    return { ...r, key: art.key, artifact: art };
  }
  return { startMoto, addService, runMeasured, runAgent, cleanup };
}

/**
 * Runs each contestant `repeat` times, rotating the order every round; after each run reads the stored object's
 * size and deletes everything under bench/ in the bucket, so the S3 server's state is the same for every run.
 * A contestant is { label, run(rep) } resolving to runMeasured's result plus the object `key`.
 */
export async function runRounds({ contestants, names, repeat, s3, bucket }) {
  const { DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < repeat; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]); // rotate to spread order effects
    for (const name of order) {
      const r = await contestants[name].run(rep);
      r.stored = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: r.key }))).ContentLength;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'bench/' }));
      for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
      const byName = {};
      for (const p of r.procs.values()) {
        const e = (byName[p.name] ??= { hwm: 0, cpu: 0 });
        [e.hwm, e.cpu] = [Math.max(e.hwm, p.hwm), e.cpu + p.cpu];
      }
      results[name].push({
        wall: r.wall,
        stored: r.stored,
        nodeMiB: name === 'agent' || name === 'fault' ? r.procs.get(r.rootPid).hwm / 1024 : NaN,
        treeMiB: r.treePeakKb / 1024,
        byName,
        servicesCpu: r.servicesCpu,
        treeCpu: r.treeCpu,
        otherCpu: r.otherCpu,
      });
      const services = Object.entries(r.servicesCpu)
        .map(([n, c]) => `${n} ${c.toFixed(1)}, `)
        .join('');
      console.log(
        `  rep ${rep + 1} ${name}: ${r.wall.toFixed(2)} s, ${r.treeCpu.toFixed(1)} CPU s (+ ${services}other processes ${r.otherCpu.toFixed(1)})`,
      );
    }
  }
  return results;
}

/**
 * Prints the table (medians; `inputBytes` is what each contestant reads: MiB/s and ratio are of it), per-process
 * peaks and CPU of each contestant's median-wall run, and a warning when other processes disturbed the runs.
 * `heading` starts the first line. Returns the medians per contestant ({ wall, stored, nodeMiB, treeMiB, cpu, mid }).
 */
export function printResults({ heading, inputBytes, contestants, names, results, repeat }) {
  const m = Object.fromEntries(
    names.map((n) => {
      const rs = results[n];
      const med = (k) => median(rs.map((r) => r[k]));
      const mid = [...rs].sort((a, b) => a.wall - b.wall)[(rs.length - 1) >> 1];
      return [
        n,
        {
          wall: med('wall'),
          stored: med('stored'),
          nodeMiB: med('nodeMiB'),
          treeMiB: med('treeMiB'),
          cpu: med('treeCpu'),
          mid,
        },
      ];
    }),
  );
  const a = m.agent;
  const services = Object.keys(results[names[0]]?.[0]?.servicesCpu ?? {});
  const list = (items) => items.join(', ').replace(/, ([^,]*)$/, ' and $1'); // a, b and c
  const width = Math.max(30, ...names.map((n) => contestants[n].label.length + 1)); // 30 unless a label is longer
  const pad = (s, w) => String(s).padStart(w);
  console.log(
    `\n${heading}, median of ${repeat}, moto on 127.0.0.1, ${spawnSync('nproc').stdout.toString().trim()} CPUs`,
  );
  console.log(
    `${'contestant'.padEnd(width)}${pad('wall s', 8)}${pad('MiB/s', 8)}${pad('stored bytes', 14)}${pad('ratio', 7)}${pad('node MiB', 10)}${pad('tree MiB', 10)}${pad('CPU s', 7)}${pad('vs agent', 10)}`,
  );
  for (const n of names) {
    const r = m[n];
    const vs =
      !a || n === 'agent'
        ? '-'
        : n === 'gzip' || n === 'fault'
          ? `${(r.wall / a.wall).toFixed(2)}x`
          : `${(a.wall / r.wall).toFixed(2)}x`;
    console.log(
      `${contestants[n].label.padEnd(width)}${pad(r.wall.toFixed(2), 8)}${pad((inputBytes / MiB / r.wall).toFixed(1), 8)}${pad(r.stored, 14)}${pad((inputBytes / r.stored).toFixed(2), 7)}${pad(Number.isNaN(r.nodeMiB) ? '-' : r.nodeMiB.toFixed(1), 10)}${pad(r.treeMiB.toFixed(1), 10)}${pad(r.cpu.toFixed(1), 7)}${pad(vs, 10)}`,
    );
  }
  console.log(
    `(node MiB: the agent's node process peak; tree MiB: peak of summed RSS of the process tree; CPU s: whole tree, without ${list(services)})`,
  );
  console.log('(vs agent: gzip and fault rows = their time / agent time; zstd row = agent time / zstd time)');
  console.log(
    `\nper process (median-wall run): peak RSS MiB / CPU s; ${list([...services, 'other processes'])}: CPU s during the run`,
  );
  for (const n of names) {
    const parts = Object.entries(m[n].mid.byName).map(
      ([k, v]) => `${k} ${(v.hwm / 1024).toFixed(0)}/${v.cpu.toFixed(1)}`,
    );
    const serviceParts = Object.entries(m[n].mid.servicesCpu)
      .map(([k, c]) => `; ${k} ${c.toFixed(1)}`)
      .join('');
    console.log(`  ${n.padEnd(6)} ${parts.join(', ')}${serviceParts}; other processes ${m[n].mid.otherCpu.toFixed(1)}`);
  }
  const all = names.flatMap((n) => results[n]);
  const other = all.reduce((sum, r) => sum + r.otherCpu, 0);
  const ours = all.reduce((sum, r) => sum + r.treeCpu + Object.values(r.servicesCpu).reduce((s, c) => s + c, 0), 0);
  if (other > 0.1 * ours)
    console.log(
      `\nWARNING: other processes used ${other.toFixed(0)} CPU s during the runs (ours: ${ours.toFixed(0)}); wall times are disturbed, re-run when idle`,
    );
  return m;
}

/** Prints one target line. */
export const check = (ok, text) => console.log(`  [${ok ? 'PASS' : 'FAIL'}] ${text}`);
