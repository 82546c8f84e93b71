// Reads config.yml: YAML with positions, ${ENV} substitution, schema validation, path resolution.
import { open } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { BackupError } from '../shared/backup-error.js';
import { sourceFor } from '../sources/registry.js';
import { phraseIssue } from './issue-wording.js';
import { normaliseDestinations } from './destinations.js';
import {
  configSchema,
  crossFieldRules,
  type AssetConfig,
  type Config,
  type DestinationConfig,
  type ParsedConfig,
  type RuleProblem,
} from './schema.js';

/** The default config path when neither --config nor BACKUP_AGENT_CONFIG is given. */
export const DEFAULT_CONFIG_PATH = '/etc/backup-agent/config.yml';
/** A config is a page or two; anything larger is the wrong file (or an attack on the parser). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases expanded at most (yaml's own default): a "billion laughs" document stops here. */
const MAX_ALIAS_COUNT = 100;
/** Problems listed at most; the count says how many there were. */
const MAX_LISTED_PROBLEMS = 100;

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file it came from. */
  path: string;
}

type PathSegment = string | number;

/** Formats a document path as `assets[2].paths`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

/**
 * Loads and validates the config file at `path`.
 * Throws BackupError CONFIG_NOT_FOUND if unreadable, CONFIG_INVALID listing every problem
 * as `file:line:col: key.path: message`.
 */
export async function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  extraRules?: ExtraRules,
): Promise<LoadedConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    const handle = await open(absolute, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_CONFIG_BYTES) {
        throw new BackupError('CONFIG_INVALID', `config ${absolute}: 1 problem`, {
          details: [
            `${absolute}:1:1: the file has ${size} bytes; a config may have at most ${MAX_CONFIG_BYTES} (1 MiB): is this the right file?`,
          ],
        });
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new BackupError(
      'CONFIG_NOT_FOUND',
      `config ${absolute}: cannot read: ${reason} (set --config or BACKUP_AGENT_CONFIG)`,
      { cause: error },
    );
  }
  return { config: parseConfig(text, absolute, env, extraRules), path: absolute };
}

/** Rules a command adds (e.g. `validate` checks `schedule` with the daemon's parser); run on a valid config. */
export type ExtraRules = (config: ParsedConfig) => RuleProblem[];

/** Parses config text; `file` is used for messages and to resolve relative paths. */
export function parseConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  extraRules?: ExtraRules,
): Config {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by duplicateKeys(): yaml's uniqueKeys compares every key with all before it (quadratic).
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  // One YAML mistake tends to cascade; the first few lines say where it is.
  const problems: string[] = [
    ...doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`),
    ...duplicateKeys(doc, at),
  ].slice(0, 3);
  // Each step below may add problems (toPlain and substituteEnv through `problems`): a call, not a narrowed length.
  const clean = () => problems.length === 0;
  if (clean()) {
    const raw = toPlain(doc, at, problems);
    if (clean())
      substituteEnv(raw, [], env, (path, message) =>
        problems.push(`${locate(doc, path, at, file)}: ${formatPath(path)}: ${message}`),
      );
    if (clean()) {
      const result = configSchema.safeParse(raw, { error: phraseIssue });
      for (const issue of result.error?.issues ?? []) problems.push(describeIssue(doc, issue, at, file));
      for (const rule of crossFieldRules(raw))
        problems.push(`${locate(doc, rule.path, at, file)}: ${formatPath(rule.path)}: ${rule.message}`);
      if (result.success && clean()) {
        const config = resolvePaths(result.data, dirname(file));
        for (const rule of extraRules?.(config) ?? [])
          problems.push(`${locate(doc, rule.path, at, file)}: ${formatPath(rule.path)}: ${rule.message}`);
        if (clean()) return config;
      }
    }
  }
  const listed =
    problems.length > MAX_LISTED_PROBLEMS
      ? [...problems.slice(0, MAX_LISTED_PROBLEMS), `... and ${problems.length - MAX_LISTED_PROBLEMS} more`]
      : problems;
  throw new BackupError(
    'CONFIG_INVALID',
    `config ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    { details: listed },
  );
}

/** The document as plain data; an alias bomb ("billion laughs") becomes a problem at its first alias. */
function toPlain(doc: Document, at: (o: number) => string, problems: string[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    let first: number | undefined;
    visit(doc, {
      Alias: (_key, node) => {
        first ??= node.range?.[0];
        return visit.BREAK;
      },
    });
    problems.push(
      `${at(first ?? 0)}: YAML aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias expansions; an "alias bomb"?): write the values out`,
    );
    return {};
  }
}

/** Keys repeated within one mapping, in one pass over each mapping. */
function duplicateKeys(doc: Document, at: (o: number) => string): string[] {
  const found: string[] = [];
  visit(doc, {
    Map: (_key, map) => {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(name))
          found.push(
            `${at(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0)}: duplicate key "${name}" (map keys must be unique)`,
          );
        seen.add(name);
      }
    },
  });
  return found;
}

function describeIssue(doc: Document, issue: z.core.$ZodIssue, at: (o: number) => string, file: string): string {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  // An unknown key is reported where it is written, not at its parent.
  const first = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const where = first === undefined ? locate(doc, path, at, file) : locate(doc, [...path, first], at, file, true);
  return `${where}: ${formatPath(path) || '(top level)'}: ${issue.message}`;
}

/** Finds the line:col of the deepest existing node on `path` (the key itself if `key`). */
function locate(doc: Document, path: PathSegment[], at: (o: number) => string, file: string, key = false): string {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const prefix = path.slice(0, depth);
    if (key && depth === path.length) {
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === prefix[prefix.length - 1]);
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) return at(range[0]);
      }
      continue;
    }
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = isMap(node) || isSeq(node) || isScalar(node) ? node.range : undefined;
    if (range) return at(range[0]);
  }
  return `${file}:1:1`;
}

/** Replaces `${NAME}` in every string value, in place; `$${` escapes a literal `${`. */
function substituteEnv(
  value: unknown,
  path: PathSegment[],
  env: NodeJS.ProcessEnv,
  problem: (p: PathSegment[], m: string) => void,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([^}]*)\}/g, (whole, name: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problem(path, `"\${${name}}" is not a valid environment variable reference`);
        return whole;
      }
      const found = env[name];
      if (found === undefined) {
        problem(path, `environment variable ${name} is not set`);
        return whole;
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      value[i] = substituteEnv(item, [...path, i], env, problem);
    });
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = substituteEnv(record[key], [...path, key], env, problem);
  }
  return value;
}

/** Sanitises a hostname into the key-safe alphabet. */
export function defaultHost(name = hostname()): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return safe === '' ? 'unknown-host' : safe;
}

function resolvePaths(parsed: ParsedConfig, base: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const { destination: first, destinations: list, ...config } = parsed;
  const normalised = normaliseDestinations(first, list);
  const destination = resolveDestinationPaths(normalised.destination, abs);
  const destinations = normalised.destinations.map((d) => resolveDestinationPaths(d, abs));
  const e = config.encryption;
  const encryption = e && {
    ...e,
    ...(e.age_recipients_file ? { age_recipients_file: abs(e.age_recipients_file) } : {}),
    ...(e.passphrase_file ? { passphrase_file: abs(e.passphrase_file) } : {}),
    ...(e.age_binary.includes('/') ? { age_binary: abs(e.age_binary) } : {}),
  };
  return {
    ...config,
    host: config.host ?? defaultHost(),
    state_dir: abs(config.state_dir),
    destination,
    destinations,
    ...(encryption ? { encryption } : {}),
    ...(config.metrics ? { metrics: { textfile: abs(config.metrics.textfile) } } : {}),
    ...(config.notify ? { notify: resolveNotifyPaths(config.notify, abs) } : {}),
    assets: config.assets.map((asset) => sourceFor(asset).resolvePaths(asset, abs) as AssetConfig),
  };
}

function resolveDestinationPaths<D extends DestinationConfig>(d: D, abs: (p: string) => string): D {
  if (d.type === 'local') return { ...d, path: abs(d.path) };
  return {
    ...d,
    ...(d.ca_file ? { ca_file: abs(d.ca_file) } : {}),
    ...(d.credentials?.key_file ? { credentials: { ...d.credentials, key_file: abs(d.credentials.key_file) } } : {}),
  };
}

function resolveNotifyPaths(
  notify: NonNullable<Config['notify']>,
  abs: (p: string) => string,
): NonNullable<Config['notify']> {
  const email = notify.email;
  if (!email) return notify;
  const smtp = email.smtp && {
    ...email.smtp,
    ...(email.smtp.password_file ? { password_file: abs(email.smtp.password_file) } : {}),
    ...(email.smtp.ca_file ? { ca_file: abs(email.smtp.ca_file) } : {}),
  };
  return {
    ...notify,
    email: {
      ...email,
      ...(email.sendmail?.includes('/') ? { sendmail: abs(email.sendmail) } : {}),
      ...(smtp ? { smtp } : {}),
    },
  };
}
