// The files source: directories and files streamed as one GNU tar archive. Every verb of a files
// asset, named as the Source contract names it; each verb's code loads when it is used, so that the
// registry (read by the config loader and `--help`) stays light.
import { filesAssetSchema, type FilesAssetConfig } from './files-asset-schema.js';
import type { Source } from '../source.js';

/** The `type: files` source. */
export const filesSource = {
  type: 'files',
  schema: filesAssetSchema,
  plan: async (asset, signal, context) => (await import('./plan-files.js')).planFiles(asset, signal, context),
  concurrency: () => 1,
  async checkTools(assets, signal) {
    const [first] = assets;
    if (first === undefined) return [];
    const [{ checkGnuTar }, { errorText, fail, ok }] = await Promise.all([
      import('./plan-files.js'),
      import('../../shared/check-result.js'),
    ]);
    return [
      await checkGnuTar('tar', first.name, signal).then(
        (tar) => ok('tar', `GNU tar ${tar}`),
        (error: unknown) => fail('tar', errorText(error)),
      ),
    ];
  },
  checkAsset: async (asset, signal) => (await import('./check-files.js')).checkFilesAsset(asset, signal),
  secretFiles: () => [],
  resolvePaths: (asset, abs) => ({ ...asset, paths: asset.paths.map(abs) }),
  restoreFlags: [],
  restore: async (request) => (await import('./restore-command.js')).restoreFilesCommand(request),
  drill: async (request) => (await import('./drill-files.js')).drillFiles(request),
} satisfies Source<FilesAssetConfig>;
