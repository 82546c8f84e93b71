// Bigger stdout writes for C programs that write through stdio (mariadb-dump/mysqldump): run under
// coreutils `stdbuf -o SIZE`, which preloads libstdbuf.so to setvbuf() stdout before main().
// On a pipe glibc buffers 4 KiB, so a 500 MB dump is ~126,000 write(2) calls and as many wake-ups
// of the reader (measured, README "Design notes": ~0.5 CPU-s less in the dump and zstd, Node's reads
// 9-11 KiB -> 58 KiB on average). stdbuf execs the program: pid, exit status and signals are the
// program's own, and it adds only LD_PRELOAD and _STDBUF_O to the child's environment.
import { runChild, type ChildCommand } from '../../shared/child-process.js';
import { findOnPath } from '../../shared/find-on-path.js';

/** The stdout buffer asked for: the most Node reads from a pipe in one go (libuv reads 64 KiB). */
export const STDOUT_BUFFER = '64K';

/**
 * The absolute path of a `stdbuf` that works here, or undefined (not installed, as on Alpine's
 * busybox, or its libstdbuf.so missing): then programs run as they are, only slower.
 */
export async function findStdbuf(signal: AbortSignal): Promise<string | undefined> {
  const stdbuf = await findOnPath('stdbuf');
  if (!stdbuf) return undefined;
  // A stdbuf whose library is missing exits 125 with every program; one probe tells.
  const probe = await runChild(stdbuf, ['-o', STDOUT_BUFFER, 'true'], {
    env: 'c-locale',
    signal,
    stdin: 'ignore',
    timeout: 10_000,
  });
  return probe.exitCode === 0 ? stdbuf : undefined;
}

/** `command` run with a {@link STDOUT_BUFFER} stdout buffer when `stdbuf` is given; unchanged otherwise. */
export function withStdoutBuffer(command: ChildCommand, stdbuf: string | undefined): ChildCommand {
  return stdbuf ? { file: stdbuf, args: ['-o', STDOUT_BUFFER, command.file, ...command.args] } : command;
}
