// The import graph of src/, checked by test/architecture.test.ts: layers lowest first, each folder may
// import only its own layer and lower ones, and nothing may import in a circle.
/** @type {string[]} lowest first; the order the code has, see docs/design.md "Layout". */
const layers = [
  'shared', // errors, exit codes, logger, child-output, atomic writes: imports nothing of ours
  'config', // schema, load, rules: what the user wrote
  'transforms', // compress, encrypt, measure: stream stages
  'layout', // keys, tiers, artifact format, manifest format, retention and lifecycle rules: both sides
  'destinations', // Destination / BackupStore contract, s3, local
  'sources', // files, mysql
  'notify', // observers of a finished run: run report, last-run state, summary, mail, webhook, pings, metrics
  'catalog', // the read side: manifests, selection, read an artifact, verify, gaps
  'pipeline', // what is left of it: the source-specific restores (wt-sources moves them into sources/)
  'backup', // the write path: backupRun > writeRun > backupAsset > backupArtifact
  'scheduler', // daemon mode
  'cli', // the entry point
];

/**
 * Known cycles: a cycle through one of these modules is not reported until the branch that removes
 * it lands. src/cli/main.ts: 13 commands import reportError / GlobalOptions back from main, which
 * imports them; wt-cli (main as a table plus one error boundary) removes it: then delete this line.
 */
const knownCycles = [
  '^src/cli/main\\.ts$',
  // Type-only: restore-mysql-command takes RestoreCommandOptions / RestoreReporter from restore-command,
  // which imports it lazily. Owned by wt-sources (moves it) and wt-cli; moving those two types into a
  // module both import removes it, then delete this line.
  '^src/cli/restore-mysql-command\\.ts$',
];

module.exports = {
  forbidden: [
    ...layers.slice(0, -1).map((layer, index) => ({
      name: `layer-${layer}`,
      comment: `src/${layer}/ sits below ${layers.slice(index + 1).join(', ')}: it must not import them`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${layers.slice(index + 1).join('|')})/` },
    })),
    {
      name: 'layer-unknown-folder',
      comment: 'every folder of src/ has a place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: `^src/(${layers.join('|')})/` },
    },
    {
      name: 'no-circular',
      comment: 'a module must not (indirectly) import itself',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, ...(knownCycles.length > 0 ? { viaOnly: { pathNot: knownCycles.join('|') } } : {}) },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
