// Pieces of the Prometheus text exposition format shared by the textfiles the agent writes (run, drill,
// binlog): label escaping and the sibling file a second writer uses so it never rewrites another's file.
import { basename, dirname, join } from 'node:path';

/** Escapes a label value per the text exposition format. */
export const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The textfile of another writer next to the run's: `backup_agent.prom` -> `backup_agent-drill.prom`. */
export function siblingTextfile(textfile: string, writer: string): string {
  return join(dirname(textfile), `${basename(textfile).replace(/\.prom$/, '')}-${writer}.prom`);
}
