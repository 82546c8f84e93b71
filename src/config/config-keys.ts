// Every key of config.yml as a flat list (path, type, default, description, example) read from the zod
// schema, so the config reference and the starter config are generated from one source.
import { stringify } from 'yaml';
import { globalRegistry, z } from 'zod';
import { must } from '../shared/must.js';
import { unitOf, withUnitsWritten } from './setting-units.js';

/** One documented key. */
export interface ConfigKey {
  /** Dotted path; list items are `[]`: `assets[].paths`. */
  path: string;
  /** The section the key is listed under: its top-level key and, under a union, the variant (`destination (type: s3)`). */
  section: string;
  type: string;
  /** The default as written in YAML, `required`, or undefined for an optional key without one. */
  default: string | undefined;
  description: string | undefined;
  /** Examples from the schema's metadata (a section has none: its keys carry theirs). */
  examples: unknown[];
  /** Whether the key holds further keys. */
  isSection: boolean;
  /** The key's schema, wrappers included (examples are checked against it). */
  schema: z.ZodType;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  getter?: () => z.ZodType;
  defaultValue?: unknown;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
}
const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;

/** YAML as a person writes it in a flow (`[a, b]`, `{daily: 7}`). */
export const yamlValue = (value: unknown) =>
  stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trim();

interface Unwrapped {
  core: z.ZodType;
  description?: string;
  examples: unknown[];
  optional: boolean;
  defaultValue?: { value: unknown };
}

/** Looks through optional, default and lazy wrappers, keeping the outermost description and examples. */
function unwrap(schema: z.ZodType): Unwrapped {
  const result: Unwrapped = { core: schema, examples: [], optional: false };
  for (let s: z.ZodType | undefined = schema; s !== undefined;) {
    const meta = globalRegistry.get(s);
    result.description ??= meta?.description;
    if (result.examples.length === 0 && Array.isArray(meta?.examples)) result.examples = meta.examples as unknown[];
    result.core = s;
    const def = defOf(s);
    if (unitOf(s) !== undefined) break;
    if (def.type === 'optional') result.optional = true;
    if (def.type === 'default')
      result.defaultValue ??= {
        value: withUnitsWritten(must(def.innerType, "a default's inner type"), def.defaultValue),
      };
    s =
      def.type === 'lazy'
        ? must(def.getter, "a lazy schema's getter")()
        : ['optional', 'default', 'nullable'].includes(def.type)
          ? def.innerType
          : undefined;
  }
  return result;
}

/** A short name of a value type: `duration`, `integer 1-64`, `list of text`, `zstd, gzip or none`. */
export function typeName(schema: z.ZodType): string {
  const unit = unitOf(schema);
  if (unit !== undefined) return unit;
  const def = defOf(schema);
  const inner = (s: z.ZodType) => typeName(unwrap(s).core);
  switch (def.type) {
    case 'string':
      return def.format === 'url' ? 'URL' : def.format === 'email' ? 'email address' : 'text';
    case 'number': {
      const n = schema as z.ZodNumber;
      // zod's deprecated isInt, for the checks this schema uses: int() and its kin set an integer format.
      const isInt = n.format?.includes('int') ?? false;
      const bound = (value: number | null) =>
        value !== null && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined;
      let low = bound(n.minValue);
      if (low !== undefined && isInt && !n.safeParse(low).success) low += 1; // positive(): greater than 0
      const high = bound(n.maxValue);
      const range = low !== undefined && high !== undefined ? ` ${low}-${high}` : low !== undefined ? ` >= ${low}` : '';
      return `${isInt ? 'integer' : 'number'}${range}`;
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
      return orList(Object.values(def.entries ?? {}));
    case 'literal':
      return orList((def.values ?? []).map(String));
    case 'array':
      return `list of ${inner(must(def.element, "an array's element"))}`;
    case 'union':
      return orList((def.options ?? []).map(inner));
    case 'record':
      return `map: ${inner(must(def.keyType, "a record's key type"))} to ${inner(must(def.valueType, "a record's value type"))}`;
    case 'object':
      return 'section';
    default:
      return def.type;
  }
}

const orList = (items: string[]) =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

/** The keys under `schema` (an object, a discriminated union of objects, or a list of either). */
function walk(schema: z.ZodType, path: string, section: string, out: ConfigKey[]): void {
  const def = defOf(schema);
  if (def.type === 'array') {
    walk(unwrap(must(def.element, "an array's element")).core, `${path}[]`, section, out);
    return;
  }
  if (def.type === 'union' && def.discriminator !== undefined) {
    for (const option of def.options ?? []) {
      const variant = [...(option._zod.propValues?.[def.discriminator] ?? [])].map(String).join(', ');
      walk(option, path, `${section} (${def.discriminator}: ${variant})`, out);
    }
    return;
  }
  for (const [key, child] of Object.entries(def.shape ?? {})) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const childSection = section === '' ? key : section;
    // Top-level keys are listed together; the keys below one are listed under its name.
    const u = unwrap(child);
    const coreDef = defOf(u.core);
    const nested =
      coreDef.type === 'object' ||
      (coreDef.type === 'union' && coreDef.discriminator !== undefined) ||
      (coreDef.type === 'array' &&
        ['object', 'union'].includes(defOf(unwrap(must(coreDef.element, "an array's element")).core).type));
    out.push({
      path: childPath,
      section,
      type: nested ? 'section' : typeName(u.core),
      default:
        u.defaultValue !== undefined && !nested
          ? yamlValue(u.defaultValue.value)
          : u.optional || u.defaultValue
            ? undefined
            : 'required',
      description: u.description,
      examples: u.examples,
      isSection: nested,
      schema: child,
    });
    if (nested) walk(u.core, childPath, childSection, out);
  }
}

/** Every key of `schema` (the config schema), in document order. */
export function configKeys(schema: z.ZodType): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(schema, '', '', out);
  return out;
}
