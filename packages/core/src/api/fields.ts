/**
 * Field types for request schemas, lenient the way MLflow's proto JSON parser is: int64 fields take numbers
 * or numeric strings (GET query values are strings), doubles take MLflow's "NaN"/"Infinity" spellings,
 * enums take names or numbers.
 */
import { z } from 'zod';
import { RUN_STATUSES, VIEW_TYPES, type RunStatus, type ViewType } from '../entities.js';
import { decodeDouble } from '../wire-json.js';

const INTEGER_TEXT = /^\s*-?\d+\s*$/;

function toInteger(value: unknown): unknown {
  return typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
}

/** A string that must be present and non-empty ("Missing value for required parameter"). */
export const requiredString = z.string().min(1);
export const optionalString = z.string().optional();

export const int64 = z.preprocess(toInteger, z.number().int().refine(Number.isSafeInteger, 'out of range'));
export const optionalInt64 = int64.optional();

export const double = z.preprocess(
  (value) => decodeDouble(value) ?? value,
  z.custom<number>((value) => typeof value === 'number', 'expected a number'),
);

export function enumField<T extends string>(names: readonly T[], firstNumber: number) {
  return z.preprocess((value) => {
    const n = toInteger(value);
    if (typeof n === 'number') return names[n - firstNumber] ?? value;
    return value;
  }, z.enum(names as [T, ...T[]]));
}

export const runStatus: z.ZodType<RunStatus> = enumField(RUN_STATUSES, 1);
export const viewType: z.ZodType<ViewType> = enumField(VIEW_TYPES, 1);

export const keyValue = z.object({ key: requiredString, value: z.string().optional().default('') });

/** GET query strings deliver one string where a list has one element; accept both. */
export const stringList = z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value),
  z.array(z.string()),
);

/** Old clients send `run_uuid` instead of `run_id`; MLflow's handlers accept either. */
export function withRunUuidFallback<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const body = value as Record<string, unknown>;
      if ((body.run_id === undefined || body.run_id === '') && body.run_uuid !== undefined) {
        return { ...body, run_id: body.run_uuid };
      }
    }
    return value;
  }, z.object(shape));
}
