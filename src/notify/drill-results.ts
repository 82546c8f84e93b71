// The last drill of every host and asset, kept in one local JSON file: what the drill metrics are
// rendered from (so a drill of one asset does not drop the others' metrics) and what `report --html` shows.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../shared/write-atomically.js';

/** One host's asset's last drill, as stored. */
export interface DrillRecord {
  host: string;
  asset: string;
  type: string;
  ok: boolean;
  /** When the drill ran (ISO). */
  drilled_at: string;
  /** Start of the run that was restored (ISO). */
  backup_started_at?: string;
  restore_seconds: number;
  problems: string[];
}

export interface DrillResults {
  format: 'backup-agent-drills';
  version: 1;
  drills: DrillRecord[];
}

/** Where drill results are kept unless `drill --results` / `report --drills` say otherwise. */
export const drillResultsPath = (stateDir: string) => join(stateDir, 'drill-results.json');

/** Reads the results file; an empty set when there is none. Throws on a file that is not one. */
export async function readDrillResults(path: string): Promise<DrillResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { format: 'backup-agent-drills', version: 1, drills: [] };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<DrillResults>;
  if (parsed.format !== 'backup-agent-drills' || !Array.isArray(parsed.drills))
    throw new Error(`${path} is not a backup-agent drill results file`);
  return { format: 'backup-agent-drills', version: 1, drills: parsed.drills };
}

/** `previous` with each of `latest` replacing the record of its host and asset; sorted by host, asset. */
export function mergeDrillResults(previous: DrillResults, latest: DrillRecord[]): DrillResults {
  const byId = new Map(previous.drills.map((d) => [`${d.host}\0${d.asset}`, d]));
  for (const d of latest) byId.set(`${d.host}\0${d.asset}`, d);
  const drills = [...byId.values()].sort((a, b) => a.host.localeCompare(b.host) || a.asset.localeCompare(b.asset));
  return { format: 'backup-agent-drills', version: 1, drills };
}

/** Writes the results file atomically. */
export async function writeDrillResults(path: string, results: DrillResults): Promise<void> {
  await writeAtomically(path, `${JSON.stringify(results, null, 2)}\n`, 0o600);
}
