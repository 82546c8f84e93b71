// Words every schema problem for the person editing config.yml: "must be a list, not text" instead of the
// schema library's "Invalid input: expected array, received string". One place, used as the error map
// of the config parse, so a rule added without its own message is still phrased for people.
import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

/** What a value of an expected type is called in YAML terms. */
const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a section of keys',
  record: 'a section of keys',
  null: 'empty',
};

/** What the value found is, without quoting it (it may be a secret). */
function kindOf(input: unknown): string {
  if (input === null) return 'empty';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'number') return Number.isInteger(input) ? 'a whole number' : 'a number';
  if (typeof input === 'boolean') return String(input);
  return NOUNS[typeof input] ?? typeof input;
}

/** An enum-like value quoted for a message; long ones are cut. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** `a, b or c`. */
function alternatives(values: readonly unknown[]): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- zod's allowed values and discriminators are primitives
  const shown = values.filter((v) => v !== undefined).map((v) => (typeof v === 'string' ? v : String(v)));
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

const noun = (expected: string) => NOUNS[expected] ?? `a ${expected}`;

function invalidType(issue: RawIssue & { code: 'invalid_type' }): string {
  const inst = issue.inst as
    { _zod?: { def?: { discriminator?: string }; propValues?: Record<string, Set<unknown>> } } | undefined;
  if (issue.input === undefined) {
    const discriminator = inst?._zod?.def?.discriminator;
    const values = discriminator === undefined ? undefined : inst?._zod?.propValues?.[discriminator];
    const key = issue.path?.at(-1);
    if (values && typeof key === 'string')
      return `missing (a ${key} with ${discriminator}: ${alternatives([...values])} is required)`;
    return `missing (${issue.expected === 'array' || issue.expected === 'object' ? `${noun(issue.expected)} is ` : ''}required)`;
  }
  const hint =
    issue.expected === 'array' && typeof issue.input === 'string' ? ' (write [a, b], or one "- item" per line)' : '';
  return `must be ${noun(issue.expected)}, not ${kindOf(issue.input)}${hint}`;
}

function tooSmall(issue: RawIssue & { code: 'too_small' }): string {
  const n = Number(issue.minimum);
  if (issue.origin === 'string')
    return n === 1 && !issue.exact
      ? 'must not be empty'
      : `must be ${issue.exact ? 'exactly' : 'at least'} ${n} character${n === 1 ? '' : 's'}`;
  if (issue.origin === 'array' || issue.origin === 'set')
    return `must list ${issue.exact ? 'exactly' : 'at least'} ${n === 1 ? 'one item' : `${n} items`}`;
  return issue.inclusive === false ? `must be greater than ${n}` : `must be at least ${n}`;
}

function tooBig(issue: RawIssue & { code: 'too_big' }): string {
  const n = Number(issue.maximum);
  if (issue.origin === 'string')
    return `must be ${issue.exact ? 'exactly' : 'at most'} ${n} character${n === 1 ? '' : 's'}`;
  if (issue.origin === 'array' || issue.origin === 'set')
    return `must list ${issue.exact ? 'exactly' : 'at most'} ${n === 1 ? 'one item' : `${n} items`}`;
  return issue.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
}

function invalidFormat(issue: RawIssue & { code: 'invalid_format' }): string {
  const i = issue as { format: string; prefix?: string; suffix?: string; includes?: string; pattern?: string };
  switch (i.format) {
    case 'email':
      return 'is not an email address (e.g. ops@example.com)';
    case 'url':
      return 'is not a URL (e.g. https://host.example/path)';
    case 'starts_with':
      return `must start with ${quote(i.prefix)}`;
    case 'ends_with':
      return `must end with ${quote(i.suffix)}`;
    case 'includes':
      return `must contain ${quote(i.includes)}`;
    case 'regex':
      return `does not have the allowed form (${i.pattern ?? 'a pattern'})`;
    default:
      return `is not a valid ${i.format.replaceAll('_', ' ')}`;
  }
}

/** What each alternative of a plain union wanted, from its first problem: `"all" or a list`. */
function invalidUnion(issue: RawIssue & { code: 'invalid_union' }): string {
  const i = issue as {
    discriminator?: string;
    options?: readonly unknown[];
    errors?: z.core.$ZodIssue[][];
    input?: unknown;
  };
  if (i.discriminator !== undefined) {
    const value = (i.input as Record<string, unknown> | null | undefined)?.[i.discriminator];
    const allowed = alternatives(i.options ?? []);
    return value === undefined ? `missing (${allowed})` : `must be ${allowed}, not ${quote(value)}`;
  }
  const wanted = new Set<string>();
  for (const problems of i.errors ?? []) {
    const first = problems[0];
    if (first?.code === 'invalid_type') wanted.add(noun(first.expected));
    else if (first?.code === 'invalid_value') first.values.forEach((v) => wanted.add(quote(v)));
  }
  return wanted.size > 0
    ? `must be ${alternatives([...wanted])}, not ${kindOf(i.input)}`
    : 'does not have any of the allowed forms';
}

/**
 * The message for one schema problem, in the words of the config file. Rules that carry their own
 * message keep it (zod applies this map only to issues without one). Never quotes a value that could be
 * a secret: only enum-like values (a compression algorithm, a destination type) appear in messages.
 */
export function phraseIssue(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'invalid_union':
      return invalidUnion(issue);
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      return `must be ${values.length > 1 ? 'one of ' : ''}${values.join(', ')}${issue.input === undefined ? '' : `, not ${quote(issue.input)}`}`;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_key':
      return 'has a key that is not allowed';
    case 'invalid_element':
      return 'has an element that is not allowed';
    default:
      return 'is not valid';
  }
}
