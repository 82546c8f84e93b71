// Checks that a CLI run stored its backup (seen as moto's admin) and printed no secret.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { CliResult } from './cli.js';
import type { MotoServer } from './moto.js';

interface Report {
  status: string;
  manifest_key?: string;
  artifacts: { key: string; status: string; sha256: string; error?: string }[];
}

/** Fails unless none of `secrets` (nor an INI secret line) appears in the run's stdout or stderr. */
export function expectNoSecrets(result: CliResult, secrets: string[]): void {
  const output = `${result.stdout}\n${result.stderr}`;
  for (const secret of secrets) expect(output.includes(secret), 'a secret appeared in the output').toBe(false);
  expect(output).not.toMatch(/aws_secret_access_key|aws_session_token/i);
}

/**
 * Expects a `run --json` result to have exited 0 with every artifact `ok`, each stored in moto
 * with the reported sha256 and the manifest written (read back as admin), and no secret printed. Returns the report.
 */
export async function expectLanded(moto: MotoServer, result: CliResult, secrets: string[]): Promise<Report> {
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  const report = JSON.parse(result.stdout) as Report;
  expect(report.artifacts.length).toBeGreaterThan(0);
  for (const artifact of report.artifacts) {
    expect(artifact.status).toBe('ok');
    const object = await moto.getObject(artifact.key);
    expect(createHash('sha256').update(object).digest('hex')).toBe(artifact.sha256);
  }
  expect(report.manifest_key).toBeDefined();
  expect((await moto.getObject(report.manifest_key!)).length).toBeGreaterThan(0);
  expectNoSecrets(result, secrets);
  return report;
}
