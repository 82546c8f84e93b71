// Reads an artifact's format back from its key: `.tar` / `.sql`, then `.zst` / `.gz`, then `.age`.
import type { Algorithm } from '../transforms/compress.js';

/** What the bytes of an artifact are, outermost layer last. */
export interface ArtifactFormat {
  /** `tar` (files), `sql` (a dump), or the bare extension of anything else. */
  content: string;
  compression: Algorithm;
  encrypted: boolean;
}

/** The format of the artifact at `key` (e.g. `...--shop.sql.zst.age` is an encrypted zstd SQL dump). */
export function artifactFormat(key: string): ArtifactFormat {
  let name = key.slice(key.lastIndexOf('/') + 1);
  const encrypted = name.endsWith('.age');
  if (encrypted) name = name.slice(0, -4);
  const compression: Algorithm = name.endsWith('.zst') ? 'zstd' : name.endsWith('.gz') ? 'gzip' : 'none';
  if (compression !== 'none') name = name.slice(0, name.lastIndexOf('.'));
  const dot = name.lastIndexOf('.');
  return { content: dot < 0 ? '' : name.slice(dot + 1), compression, encrypted };
}
