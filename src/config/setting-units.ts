// Which config values are durations and sizes, so `validate` prints them as people write them (`26h`,
// `16MiB`) although the parsed config holds milliseconds and bytes. Schema factories register here.
import { z } from 'zod';
import { formatDurationSetting, formatSizeSetting } from './sizes.js';

type Unit = 'duration' | 'size';
const units = z.registry<{ unit: Unit }>();

/** Marks `schema` (one that parses to milliseconds or bytes) and returns it. */
export function withUnit<S extends z.ZodType>(unit: Unit, schema: S): S {
  units.add(schema, { unit });
  return schema;
}

/** Whether `schema` parses to milliseconds or bytes (registered by {@link withUnit}); undefined otherwise. */
export function unitOf(schema: z.ZodType): Unit | undefined {
  return units.get(schema)?.unit;
}

/** The parts of zod's schema definitions this walk reads. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Returns a copy of `value` (parsed by `schema`) in which every duration and size reads as a person
 * writes it: 93600000 under `alert_after` becomes `26h`, 16777216 under `part_size` becomes `16MiB`.
 */
export function withUnitsWritten(schema: z.ZodType, value: unknown): unknown {
  const unit = units.get(schema)?.unit;
  if (unit !== undefined && typeof value === 'number')
    return unit === 'size' ? formatSizeSetting(value) : formatDurationSetting(value);
  const def = defOf(schema);
  const { shape, valueType, element, options } = def;
  if (def.innerType) return withUnitsWritten(def.innerType, value);
  if (def.type === 'pipe' && def.out && defOf(def.out).type !== 'transform') return withUnitsWritten(def.out, value);
  if (def.type === 'object' && shape && isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const child = shape[k];
        return [k, child ? withUnitsWritten(child, v) : v];
      }),
    );
  }
  if (def.type === 'record' && valueType && isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnitsWritten(valueType, v)]));
  }
  if (def.type === 'array' && element && Array.isArray(value)) return value.map((v) => withUnitsWritten(element, v));
  if (def.type === 'union' && options) {
    // A discriminated union: the member whose discriminator matches; otherwise every member that accepts the value.
    const key = def.discriminator;
    const members =
      key !== undefined && isRecord(value)
        ? options.filter((o) => (o._zod.propValues?.[key] as Set<unknown> | undefined)?.has(value[key]))
        : options.filter((o) => o.safeParse(value).success);
    const [member] = members;
    return member !== undefined ? withUnitsWritten(member, value) : value;
  }
  return value;
}
