// Pieces of the Prometheus text exposition format shared by the textfiles the agent writes (run, drill,
// binlog): label escaping, families rendered over samples, and the sibling file a second writer uses so
// it never rewrites another's file.
import { basename, dirname, join } from 'node:path';

/** Escapes a label value per the text exposition format. */
export const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The textfile of another writer next to the run's: `backup_agent.prom` -> `backup_agent-drill.prom`. */
export function siblingTextfile(textfile: string, writer: string): string {
  return join(dirname(textfile), `${basename(textfile).replace(/\.prom$/, '')}-${writer}.prom`);
}

/** One metric family: name, type, help, and its value for a state (undefined: no sample for that state). */
export type Family<S> = [name: string, type: string, help: string, value: (state: S) => number | undefined];

/** HELP, TYPE and the samples of each family over `entries` (in their order), each labelled by `labels(key, state)`. */
export function renderFamilies<S>(
  families: readonly Family<S>[],
  entries: readonly (readonly [string, S])[],
  labels: (key: string, state: S) => string,
): string[] {
  return families.flatMap(([name, type, help, value]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...entries.flatMap(([key, state]) => {
      const v = value(state);
      return v === undefined ? [] : [`${name}{${labels(key, state)}} ${v}`];
    }),
  ]);
}
