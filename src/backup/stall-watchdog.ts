// stall_timeout: fails an artifact whose pipeline has stopped, i.e. no byte counted anywhere for that
// long, and names the stage that holds the flow up, judged by where data waits when nothing moves.
import { formatMs } from '../config/sizes.js';

/** The stages of an artifact, upstream first: what a stall message can blame. */
export type StageName = 'source' | 'compressor' | 'encryption' | 'upload';

/** One stage as the watchdog sees it. */
export interface WatchedStage {
  name: StageName;
  /** True when data waits at this stage's input: the stage is not taking what the one before it produced. */
  blocked(): boolean;
}

export interface StallWatch {
  /** Byte counters that grow while data moves (bytes the source produced, bytes handed to the upload...). */
  meters: (() => number | undefined)[];
  /** The stages after the source, downstream first (upload, encryption, compressor): the first blocked one is blamed, else the source. */
  stages: WatchedStage[];
  timeoutMs: number;
  /** Called once, when nothing moved for `timeoutMs`, with the stage blamed. */
  onStall(stage: StageName): void;
}

const WHAT_STOPPED: Record<StageName, string> = {
  source: 'the source stopped producing data',
  compressor: 'the compressor stopped taking data',
  encryption: 'encryption stopped taking data',
  upload: 'the upload stopped taking data',
};

/** `stalled: nothing moved for 10m (stall_timeout): the source stopped producing data`. */
export function describeStall(stage: StageName, timeoutMs: number): string {
  return `stalled: nothing moved for ${formatMs(timeoutMs)} (stall_timeout): ${WHAT_STOPPED[stage]}`;
}

/**
 * Starts watching; returns the function that stops it. Checks a few times per `timeoutMs`, so a stall
 * is reported between `timeoutMs` and 1.25 x `timeoutMs` after the last byte moved.
 * A stopped stage stops everything: the stages after it starve and the ones before it are held back
 * by backpressure. So the culprit is the most downstream stage with data waiting at its input; when
 * none has, the source produced nothing.
 */
export function watchForStall(watch: StallWatch): () => void {
  const moved = () => watch.meters.reduce((sum, meter) => sum + (meter() ?? 0), 0);
  let last = moved();
  let since = Date.now();
  const timer = setInterval(
    () => {
      const now = moved();
      if (now !== last) {
        last = now;
        since = Date.now();
        return;
      }
      if (Date.now() - since < watch.timeoutMs) return;
      clearInterval(timer);
      watch.onStall(watch.stages.find((stage) => stage.blocked())?.name ?? 'source');
    },
    Math.max(50, Math.min(watch.timeoutMs / 4, 15_000)),
  );
  return () => clearInterval(timer);
}
