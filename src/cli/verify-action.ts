// `backup-agent verify`: reads back every backup of a window with read credentials and says which ones
// are missing, damaged or incomplete, and which days of a daily series have no backup at all.
import { formatBytes } from '../config/sizes.js';
import { verifyBackups, type VerifyResult } from '../catalog/verify-backups.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';
import { openOperatorContext, parseSince, type OperatorOptions } from './operator-context.js';

export interface VerifyCommandOptions extends OperatorOptions {
  since: string;
  host?: string;
  asset?: string;
  json?: boolean;
}

/** Exit 0 when every artifact checked out and no day is missing; 1 otherwise, each problem named. */
export async function verifyAction(
  global: GlobalOptions,
  options: VerifyCommandOptions,
  now = new Date(),
): Promise<number> {
  let context;
  try {
    const since = parseSince(options.since, now);
    context = await openOperatorContext(global, options);
    const { store, prefix, decryptor, signal } = context;
    const result = await verifyBackups(store, decryptor, {
      prefix,
      since,
      now,
      signal,
      ...(options.host ? { host: options.host } : {}),
      ...(options.asset ? { asset: options.asset } : {}),
    });
    const problems =
      result.verdicts.filter((v) => !v.ok).length +
      result.unreadable.length +
      result.gaps.length +
      result.streams.filter((v) => !v.ok).length +
      (result.manifests === 0 && result.streams.length === 0 ? 1 : 0);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            ok: problems === 0,
            since: since.toISOString(),
            manifests: result.manifests,
            artifacts: result.verdicts.map(({ entry: { record: _record, ...entry }, ...v }) => ({ ...entry, ...v })),
            unreadable_manifests: result.unreadable,
            gaps: result.gaps,
            streams: result.streams,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      process.stdout.write(formatVerify(result, since, problems));
    }
    return problems === 0 ? ExitCode.OK : ExitCode.FAILED;
  } finally {
    context?.dispose();
  }
}

function formatVerify(result: VerifyResult, since: Date, problems: number): string {
  const lines: string[] = [];
  for (const v of result.verdicts) {
    const e = v.entry;
    const what = `${e.host} ${e.asset}${e.label ? ` (${e.label})` : ''} ${e.started_at.replace(/\.\d+Z$/, 'Z')} ${e.tier}`;
    lines.push(
      v.ok ? `OK    ${what} ${e.key} (${formatBytes(e.bytes_stored)}): ${v.message}` : `FAIL  ${what}: ${v.message}`,
    );
  }
  for (const v of result.streams)
    lines.push(`${v.ok ? 'OK   ' : 'FAIL '} ${v.host} ${v.asset} ${v.kind} ${v.stream}: ${v.message}`);
  for (const message of result.unreadable) lines.push(`FAIL  manifest: ${message}`);
  for (const g of result.gaps)
    lines.push(`GAP   ${g.host} ${g.asset}${g.label ? ` (${g.label})` : ''}: no stored backup on ${g.day}`);
  if (result.manifests === 0 && result.streams.length === 0)
    lines.push(`FAIL  no backups found since ${since.toISOString()}`);
  const series =
    result.streams.length > 0 ? ` and ${result.streams.length} stream${result.streams.length === 1 ? '' : 's'}` : '';
  const checked = `${result.verdicts.length} artifact${result.verdicts.length === 1 ? '' : 's'} in ${result.manifests} manifest${result.manifests === 1 ? '' : 's'} since ${since.toISOString()}${series}`;
  lines.push(
    problems === 0
      ? `verified ${checked}: all good`
      : `verified ${checked}: ${problems} problem${problems === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
