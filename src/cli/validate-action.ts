// `backup-agent validate`: check the config and print it resolved, secrets redacted.
import { stringify } from 'yaml';
import { loadConfig } from '../config/load-config.js';
import { checkSecretFiles } from '../config/secret-files.js';
import { redactConfig } from '../config/redact.js';
import { configSchema } from '../config/schema.js';
import { withUnitsWritten } from '../config/setting-units.js';
import { ExitCode } from '../shared/exit-codes.js';
import type { GlobalOptions } from './global-options.js';

/** Validates the config; prints it resolved (defaults applied, durations and sizes as people write them) with secrets redacted. */
export async function validateAction(global: GlobalOptions): Promise<number> {
  // The schedule is checked with the daemon's own parser (node-cron), at its line and column.
  const { scheduleRules } = await import('../scheduler/validate-schedule.js');
  const { config, path } = await loadConfig(global.config, process.env, scheduleRules);
  await checkSecretFiles(config);
  process.stdout.write(
    `# ${path}: valid\n${stringify(redactConfig(withUnitsWritten(configSchema, config) as typeof config))}`,
  );
  return ExitCode.OK;
}
