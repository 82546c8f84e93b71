// The import graph of src/, checked by test/architecture.test.ts: layers lowest first, each folder may
// import only its own layer and lower ones, and nothing may import in a circle.
/**
 * Lowest first; the order the code has, see docs/design.md "Source layout". A layer is a folder, except
 * config, which is two: its values, sections and checks sit low (everything imports them), while the
 * assembled schema and the loader sit above sources, because the assets union and the secret files
 * come from the source registry.
 * @type {{ name: string, path: string, pathNot?: string }[]}
 */
// The generators of docs/config.md and of init's starter config (and the check for its placeholders) read
// the whole schema, so they sit with it.
const assembly =
  '^src/config/(schema|load-config|secret-files|config-reference|starter-comments|starter-files|placeholder-secrets)\\.ts$';
const layers = [
  { name: 'shared', path: '^src/shared/' }, // errors, exit codes, logger, the child-process module, atomic writes
  { name: 'config', path: '^src/config/', pathNot: assembly }, // sections, values, sizes, tiers, one secret file's check
  { name: 'transforms', path: '^src/transforms/' }, // compress, encrypt, measure: stream stages
  { name: 'layout', path: '^src/layout/' }, // keys, tiers, artifact format, manifest format, retention and lifecycle rules
  { name: 'destinations', path: '^src/destinations/' }, // Destination / BackupStore contract, s3, local, memory
  { name: 'sources', path: '^src/sources/' }, // Source contract, registry, files/, mysql/
  { name: 'config-assembly', path: assembly }, // the whole schema from the registry, the loader, every secret file
  { name: 'notify', path: '^src/notify/' }, // observers of a finished run
  { name: 'catalog', path: '^src/catalog/' }, // the read side: manifests, selection, read an artifact, verify, gaps
  { name: 'backup', path: '^src/backup/' }, // the write path: backupRun > writeRun > backupAsset > backupArtifact
  { name: 'scheduler', path: '^src/scheduler/' }, // daemon mode
  { name: 'cli', path: '^src/cli/' }, // the entry point
];

module.exports = {
  forbidden: [
    ...layers.slice(0, -1).flatMap((layer, index) => {
      // A unit test may import what it tests and what builds its input, whichever layer that is.
      const from = { path: layer.path, pathNot: [layer.pathNot, '\\.test\\.ts$'].filter(Boolean).join('|') };
      const above = layers.slice(index + 1).filter((l) => l.path !== assembly);
      const rules = [
        {
          name: `layer-${layer.name}`,
          comment: `${layer.name} sits below ${above.map((l) => l.name).join(', ')}: it must not import them`,
          severity: 'error',
          from,
          to: { path: above.map((l) => l.path).join('|') },
        },
      ];
      // The Config types are inferred from the assembled schema: a type-only import of them is erased at
      // run time and carries no dependency on the sources, so lower layers may make it. Nothing else.
      if (index < layers.findIndex((l) => l.path === assembly)) {
        rules.push({
          name: `layer-${layer.name}-config-assembly`,
          comment: `${layer.name} sits below the assembled schema and loader: only type-only imports of them`,
          severity: 'error',
          from,
          to: { path: assembly, dependencyTypesNot: ['type-only'] },
        });
      }
      return rules;
    }),
    {
      name: 'layer-unknown-folder',
      comment: 'every folder of src/ has a place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        path: '^src/',
        pathNot: '^src/(shared|config|transforms|layout|destinations|sources|notify|catalog|backup|scheduler|cli)/',
      },
    },
    {
      name: 'no-circular',
      comment: 'a module must not (indirectly) import itself',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
