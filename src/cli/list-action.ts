// `backup-agent list`: backups grouped by host and asset, newest first, read from the run manifests.
import { formatBytes } from '../config/sizes.js';
import { backupEntries, type BackupEntry } from '../catalog/backup-entries.js';
import { loadCatalog } from '../catalog/manifest-catalog.js';
import { ExitCode } from '../shared/exit-codes.js';
import { must } from '../shared/must.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, parseSince, type OperatorOptions } from './operator-context.js';

export interface ListCommandOptions extends OperatorOptions {
  host?: string;
  asset?: string;
  since?: string;
  json?: boolean;
}

/** Prints the backups; exit 0, or 1 when some manifests could not be read (each is named on stderr). */
export async function listAction(global: GlobalOptions, options: ListCommandOptions): Promise<number> {
  let context;
  try {
    const since = parseSince(options.since);
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal } = context;
    const { entries, problems } = await loadCatalog(
      store,
      { prefix, ...(options.host ? { host: options.host } : {}), ...(since ? { since } : {}), signal },
      decryptor,
    );
    const rows = backupEntries(entries).filter((e) => options.asset === undefined || e.asset === options.asset);
    for (const problem of problems) process.stderr.write(`backup-agent: ${problem.message}\n`);
    process.stdout.write(
      options.json
        ? `${JSON.stringify(
            rows.map(({ record: _record, ...row }) => row),
            null,
            2,
          )}\n`
        : formatList(rows),
    );
    return problems.length > 0 ? ExitCode.FAILED : ExitCode.OK;
  } finally {
    context?.dispose();
  }
}

/** Groups rows by host, then asset (with the database as label), newest first. */
export function formatList(rows: BackupEntry[]): string {
  if (rows.length === 0) return 'no backups found\n';
  const lines: string[] = [];
  const hosts = [...new Set(rows.map((r) => r.host))].sort();
  for (const host of hosts) {
    lines.push(`host ${host}`);
    const ofHost = rows.filter((r) => r.host === host);
    for (const asset of [...new Set(ofHost.map((r) => r.asset))].sort()) {
      const ofAsset = ofHost.filter((r) => r.asset === asset);
      lines.push(`  ${asset} (${must(ofAsset[0], `a row of ${asset}`).type})`);
      for (const r of ofAsset) {
        const when = r.started_at.replace(/\.\d+Z$/, 'Z').replace('T', ' ');
        const size = r.status === 'ok' || r.status === 'partial' ? formatBytes(r.bytes_stored) : '-';
        const label = r.label ? `${r.label}  ` : '';
        lines.push(
          `    ${when}  ${r.tier.padEnd(7)}  ${size.padStart(10)}  ${r.status.padEnd(7)}  ${label}${r.key}${r.error ? `  (${r.error})` : ''}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
