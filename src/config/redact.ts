// Produces a printable copy of the config with every secret-bearing value replaced.
import type { Config } from './schema.js';

const SECRET_KEY = /(password|secret|token|passphrase|private|session)/i;
/** Keys whose values are URLs that often embed a token (Slack webhooks, healthchecks ping UUIDs). */
const URL_KEY = /^(url|start|success|fail)$/;

/** Keeps a URL's scheme, host and port; the path, query and userinfo may be credentials. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}/[redacted]`;
  } catch {
    return '[redacted]';
  }
}

/** Returns a deep copy of `config` in which values under secret-looking keys read "[redacted]". */
export function redactConfig(config: Config): unknown {
  const walk = (value: unknown, key: string): unknown => {
    // `*_file` values are paths to secrets, not secrets.
    if (SECRET_KEY.test(key) && !key.endsWith('_file') && value !== undefined && value !== null) return '[redacted]';
    if (URL_KEY.test(key) && typeof value === 'string') return redactUrl(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, ''));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return walk(config, '');
}
