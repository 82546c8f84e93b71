// examples/monitoring/ as shipped: promtool accepts the alert rules and their unit tests pass, and every
// metric the rules and the Grafana dashboard query is one the agent writes (or one listed below as
// coming from a feature not in this version), each named by Prometheus' conventions.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { BINLOG_METRICS } from '../../src/notify/binlog-metrics.js';
import { DRILL_METRICS } from '../../src/notify/drill-metrics.js';
import { METRIC_NAMES } from '../../src/notify/metrics.js';
import { ROOT } from './support/cli.js';
import { requireTool } from './support/require-tool.js';

const DIR = join(ROOT, 'examples/monitoring');

/**
 * Metrics the examples use that the agent does not write yet (none today). A name leaves this list
 * when the code that writes it lands.
 */
const NOT_YET_EMITTED: string[] = [];
/** Every metric the agent writes: `run`'s textfile, `drill`'s and `binlog`'s. */
const EMITTED: string[] = [...METRIC_NAMES, ...Object.values(DRILL_METRICS), ...Object.values(BINLOG_METRICS)];

/** Every `backup_agent_*` name in a text (a PromQL expression, a rules file, the dashboard). */
const metricsIn = (text: string) => [...new Set(text.match(/\bbackup_agent_[a-z0-9_]+/g) ?? [])].sort();

beforeAll(async () => {
  await requireTool('promtool');
});

describe('examples/monitoring', () => {
  it('promtool checks the alert rules and passes their unit tests', async () => {
    const check = await execa('promtool', ['check', 'rules', 'backup-agent.rules.yml'], { cwd: DIR, reject: false });
    expect(check.exitCode, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 8 rules found');
    const test = await execa('promtool', ['test', 'rules', 'backup-agent.rules.test.yml'], { cwd: DIR, reject: false });
    expect(test.exitCode, `${test.stdout}${test.stderr}`).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  }, 60_000);

  it('the rules and the dashboard use only metrics the agent writes or the listed future ones, and use all of them', async () => {
    const rules = await readFile(join(DIR, 'backup-agent.rules.yml'), 'utf8');
    const text = await readFile(join(DIR, 'grafana-dashboard.json'), 'utf8');
    const dashboard = JSON.parse(text) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.panels.every((panel) => panel.targets.length > 0)).toBe(true);
    const known = new Set([...EMITTED, ...NOT_YET_EMITTED]);
    expect(metricsIn(`${rules}\n${text}`).filter((name) => !known.has(name))).toEqual([]);
    // The dashboard shows every metric there is (panels and its host variable's query).
    expect([...known].filter((name) => !metricsIn(text).includes(name))).toEqual([]);
    expect(EMITTED.filter((name) => NOT_YET_EMITTED.includes(name))).toEqual([]);
  });

  it('metric names follow Prometheus conventions: the unit last (_seconds, _bytes, _timestamp_seconds)', () => {
    const bad = [...EMITTED, ...NOT_YET_EMITTED].filter(
      (name) =>
        !/^backup_agent_[a-z0-9_]+$/.test(name) ||
        /_(bytes|seconds)_/.test(name) || // a unit that is not last: bytes_read
        /_(ms|milliseconds|minutes|hours|kb|mb)$/.test(name) || // not a base unit
        (/(time|age|duration|lag)$/.test(name) && !name.endsWith('_seconds')),
    );
    expect(bad).toEqual([]);
  });
});
