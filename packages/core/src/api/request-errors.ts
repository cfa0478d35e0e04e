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
export function toRequestError(error: z.ZodError): RunlogError {
  const issue = error.issues[0];
  if (!issue) return RunlogError.invalidParameter('Invalid request');
  const name = formatPath(issue.path);
  const input: unknown = issue.input;
  const missing =
    input === undefined ||
    (issue.code === 'invalid_type' && input === null) ||
    (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1);
  return missing ? missingValue(name) : invalidValue(name, input, issue.message);
}

export function missingValue(name: string): RunlogError {
  return RunlogError.invalidParameter(`Missing value for required parameter '${name}'.`);
}

export function invalidValue(name: string, input: unknown, why: string): RunlogError {
  let shown: string;
  try {
    shown = JSON.stringify(input) ?? typeof input;
  } catch {
    shown = typeof input;
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}...`;
  return RunlogError.invalidParameter(`Invalid value ${shown} for parameter '${name}' supplied: ${why}`);
}

/** Parses a request body or query against an endpoint schema, throwing RunlogError on failure. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {}, { reportInput: true });
  if (!result.success) throw toRequestError(result.error);
  return result.data;
}
