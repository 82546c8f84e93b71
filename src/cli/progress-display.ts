// The progress display of `run` on a terminal: one line per artifact in flight at the bottom of stderr,
// redrawn four times a second; log lines are written above it, so they stay readable.
import { Writable } from 'node:stream';
import type { ArtifactMeter, ProgressTracker } from '../backup/progress.js';
import { formatProgressLine, RateMeter } from './progress-format.js';

/** How often the display is redrawn. */
export const REDRAW_MS = 250;

const ERASE_LINE = '\r\x1b[K';
const UP_AND_ERASE = '\x1b[1A\x1b[K';

/** A progress display on a terminal stream. */
export interface ProgressDisplay extends ProgressTracker {
  /** Give this to the logger: every line first clears the display, which is redrawn below it. */
  readonly logStream: Writable & { isTTY: true };
  /** Removes the display from the screen for good (call before printing the summary). */
  stop(): void;
}

/** Whether `run` shows progress: stderr is a terminal that understands cursor movement, and no --quiet/--json/--dry-run. */
export function wantsProgress(
  options: { quiet?: boolean; json?: boolean; dryRun?: boolean },
  stream: { isTTY?: boolean } = process.stderr,
  env = process.env,
): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && !options.quiet && !options.json && !options.dryRun;
}

interface Shown {
  label: string;
  meter: ArtifactMeter;
  rate: RateMeter;
}

/** Creates the display on `out` (a TTY); nothing is drawn until an artifact begins. */
export function createProgressDisplay(
  out: NodeJS.WriteStream = process.stderr,
  now: () => number = () => performance.now(),
): ProgressDisplay {
  const shown = new Map<number, Shown>();
  let next = 0;
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const erase = (): string => {
    const sequence = drawn === 0 ? '' : ERASE_LINE + UP_AND_ERASE.repeat(drawn - 1);
    drawn = 0;
    return sequence;
  };
  const render = (): string => {
    if (stopped || shown.size === 0) return '';
    const width = out.columns || 80; // 0 on a pseudo-terminal nobody sized
    const at = now();
    const lines = [...shown.values()].map((s) => {
      const read = s.meter.read();
      return formatProgressLine(
        { label: s.label, read, stored: s.meter.stored(), total: s.meter.total(), rate: s.rate.sample(at, read) },
        width,
      );
    });
    drawn = lines.length;
    return lines.join('\n');
  };
  const redraw = () => out.write(erase() + render());
  const onExit = () => out.write(erase());

  const logStream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        // One write: clear, the log line(s), the display again; the cursor ends on the display.
        const text = chunk.toString('utf8');
        const clear = erase();
        out.write(clear + text + (text.endsWith('\n') ? '' : '\n') + render());
        callback();
      },
    }),
    { isTTY: true as const },
  );

  return {
    logStream,
    begin(label, meter) {
      const id = next++;
      shown.set(id, { label, meter, rate: new RateMeter() });
      if (!timer && !stopped) {
        timer = setInterval(redraw, REDRAW_MS);
        timer.unref();
        process.once('exit', onExit);
      }
      return {
        end() {
          shown.delete(id);
          if (shown.size > 0 || !timer) return;
          clearInterval(timer);
          timer = undefined;
          process.off('exit', onExit);
          out.write(erase());
        },
      };
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      process.off('exit', onExit);
      out.write(erase());
    },
  };
}
