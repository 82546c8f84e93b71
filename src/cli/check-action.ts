// `backup-agent check`: tests what a backup needs (assets, tools, state_dir, the destination with the
// host's own credentials) without uploading one; exit 0 only if a backup would succeed.
import { loadConfig } from '../config/load-config.js';
import { preflight } from '../backup/preflight.js';
import type { CheckResult } from '../shared/check-result.js';
import { ExitCode } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import type { GlobalOptions } from './global-options.js';
import { abortOnSignals } from './signals.js';

export interface CheckCommandOptions {
  json?: boolean;
}

const LABEL = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** One line per check: `ok    s3 put: allowed: ...`, then a verdict. */
export function formatChecks(results: CheckResult[]): string {
  const lines = results.map((r) => `${LABEL[r.status]}  ${r.check}: ${r.message}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  const warnings = warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : '';
  lines.push(
    failed === 0
      ? `check passed: a backup would succeed${warnings}`
      : `check failed: ${failed} problem${failed === 1 ? '' : 's'} would make a backup fail or be partial${warnings}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Runs the checks; exit 0 when none failed (warnings keep 0), 1 otherwise, 2 for a config error. */
export async function checkAction(global: GlobalOptions, options: CheckCommandOptions): Promise<number> {
  const logger = createLogger({ level: global.verbose ? 'debug' : 'warn' });
  const { controller, dispose } = abortOnSignals(logger);
  try {
    const { config } = await loadConfig(global.config);
    const results = await preflight(config, { signal: controller.signal, logger });
    const exitCode = controller.signal.aborted
      ? ExitCode.INTERRUPTED
      : results.some((r) => r.status === 'fail')
        ? ExitCode.FAILED
        : ExitCode.OK;
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ok: exitCode === ExitCode.OK, exit_code: exitCode, checks: results }, null, 2)}\n`
        : formatChecks(results),
    );
    return exitCode;
  } finally {
    dispose();
  }
}
