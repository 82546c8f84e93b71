import { describe, expect, it } from 'vitest';
import { artifactFormat } from './artifact-format.js';

describe('artifactFormat', () => {
  it('reads content, compression and encryption back from the key', () => {
    expect(artifactFormat('b/daily/2026-11-22/web-1/www/20261122T031500Z.tar.zst')).toEqual({
      content: 'tar',
      compression: 'zstd',
      encrypted: false,
    });
    expect(artifactFormat('daily/2026-11-22/h/db/20261122T031500Z--shop.sql.gz.age')).toEqual({
      content: 'sql',
      compression: 'gzip',
      encrypted: true,
    });
    expect(artifactFormat('daily/2026-11-22/h/db/20261122T031500Z--my.db--Ab_-9.sql')).toEqual({
      content: 'sql',
      compression: 'none',
      encrypted: false,
    });
    expect(artifactFormat('daily/2026-11-22/h/www/20261122T031500Z.tar.age')).toEqual({
      content: 'tar',
      compression: 'none',
      encrypted: true,
    });
  });
});
