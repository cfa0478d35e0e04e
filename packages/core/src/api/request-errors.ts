import type { z } from 'zod';
import { RunlogError } from '../errors.js';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Turns the first zod issue into MLflow's wording: a missing required field, or an invalid value. */
export function toRequestError(error: z.ZodError, rawJson?: string): RunlogError {
  const issue = error.issues[0];
  if (!issue) return RunlogError.invalidParameter('Invalid request');
  const name = formatPath(issue.path);
  const input: unknown = issue.input;
  const missing =
    input === undefined ||
    (issue.code === 'invalid_type' && input === null) ||
    (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1);
  if (missing) return missingValue(name);
  const lexeme = typeof input === 'number' && rawJson !== undefined ? floatLexemeAt(rawJson, issue.path) : undefined;
  return invalidValue(name, lexeme === undefined ? input : new PythonFloat(lexeme), issue.message);
}

/** A JSON number that was written as a float (`9.0`, `1e3`): Python, and so MLflow's messages, echo it as one. */
class PythonFloat {
  constructor(readonly lexeme: string) {}
  toString(): string {
    return pythonFloatRepr(Number(this.lexeme));
  }
}

/** Python's `repr(float)`: the shortest round-trip digits, fixed between 1e-4 and 1e16, always with a point or exponent. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const [mantissa = '0', exp = '0'] = x.toExponential().split('e');
  const e = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let out: string;
  if (e >= -4 && e < 16) {
    if (e < 0) out = `0.${'0'.repeat(-e - 1)}${digits}`;
    else if (digits.length > e + 1) out = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
    else out = `${digits}${'0'.repeat(e + 1 - digits.length)}.0`;
  } else {
    const m = digits.length > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    out = `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return negative ? `-${out}` : out;
}

const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const FLOAT_MARK = '\u0000float:';

/**
 * The source text of the number at `path` in `rawJson` when it was written as a float, else undefined. Only
 * called on the error path: the float lexemes are swapped for marked strings and the text parsed again.
 */
export function floatLexemeAt(rawJson: string, path: readonly PropertyKey[]): string | undefined {
  const marked = rawJson.replace(JSON_TOKEN, (token) =>
    token.startsWith('"') || !/[.eE]/.test(token) ? token : JSON.stringify(FLOAT_MARK + token),
  );
  let value: unknown;
  try {
    value = JSON.parse(marked);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch {
    return undefined;
  }
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return typeof value === 'string' && value.startsWith(FLOAT_MARK) ? value.slice(FLOAT_MARK.length) : undefined;
}

export function missingValue(name: string): RunlogError {
  return RunlogError.invalidParameter(`Missing value for required parameter '${name}'.`);
}

export function invalidValue(name: string, input: unknown, why: string): RunlogError {
  let shown: string;
  try {
    shown = input instanceof PythonFloat ? input.toString() : (JSON.stringify(input) ?? typeof input);
  } catch {
    shown = typeof input;
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}...`;
  return RunlogError.invalidParameter(`Invalid value ${shown} for parameter '${name}' supplied: ${why}`);
}

/** Parses a request body or query against an endpoint schema, throwing RunlogError on failure. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, rawJson?: string): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw toRequestError(result.error, rawJson);
  return result.data;
}
