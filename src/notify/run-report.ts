// What a finished run tells those who watch it: the summary, state_dir/last-run.json, metrics, mail,
// webhook and pings. The write path fills it in (backup/write-run.ts) and the observers only read it,
// so it lives here, below backup/, and notify never imports the write path.
import type { ArtifactRecord, Manifest } from '../layout/manifest.js';
import type { RetentionOutcome } from '../layout/retention-plan.js';
import type { ExitCode } from '../shared/exit-codes.js';

/** One run as reported: status, exit code, every artifact's record, the manifest key when one was written. */
export interface RunReport {
  run_id: string;
  host: string;
  tier: string;
  started_at: string;
  finished_at: string;
  dry_run: boolean;
  status: Manifest['status'] | 'planned';
  exit_code: ExitCode;
  manifest_key?: string;
  artifacts: ArtifactRecord[];
  /** Facts resolved while planning (paths, tools), for --dry-run. */
  notes: string[];
  /** Local destinations: what retention removed (dry run: would remove) after the run. */
  retention?: RetentionOutcome;
  error?: string;
  /** With several destinations: how the run went at each (its own manifest and status). */
  destinations?: DestinationOutcome[];
}

/** One destination of a run with several (a second copy). */
export interface DestinationOutcome {
  name: string;
  /** Printable location of its root (bucket and prefix, or directory). */
  location: string;
  status: Manifest['status'];
  exit_code: ExitCode;
  /** Its manifest, when written. */
  manifest_key?: string;
  /** Artifacts stored elsewhere that this destination lacks. */
  missing: number;
  /** Why it is not ok: its first failed artifact, or its manifest's failure. */
  error?: string;
}
