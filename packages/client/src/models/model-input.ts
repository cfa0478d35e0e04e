/**
 * What a model is asked to predict on, in the three shapes MLflow's pyfunc sees: a data frame (named columns,
 * rows), a tensor (nested arrays) or named tensors. `toModelInput` accepts the plain JS forms; serving-input.ts
 * turns scoring-server payloads into the same shapes.
 */
import { RunlogError } from '@runlog/core';

export type ModelInput =
  | { kind: 'dataframe'; columns: string[]; rows: unknown[][] }
  | { kind: 'tensor'; data: unknown }
  | { kind: 'tensors'; data: Record<string, unknown> };

/** A list as it is, anything else as a one-item list. */
export function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  const items: unknown[] = value;
  return items;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

export function isModelInput(value: unknown): value is ModelInput {
  return isPlainObject(value) && (value.kind === 'dataframe' || value.kind === 'tensor' || value.kind === 'tensors');
}

/** Row objects → a data frame with the columns in first-seen order (missing cells are null). */
export function dataframeFromRecords(records: readonly unknown[]): ModelInput {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    if (!isPlainObject(record)) throw RunlogError.invalidParameter('Every record must be an object of column name to value.');
    for (const key of Object.keys(record)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return { kind: 'dataframe', columns, rows: records.map((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? null)) };
}

/**
 * - an array of row objects, or `{columns, data}` (split orient) → data frame;
 * - an array of numbers/arrays, or a typed array → tensor;
 * - an object of name → array → named tensors;
 * - a ModelInput as it is.
 */
export function toModelInput(value: unknown): ModelInput {
  if (isModelInput(value)) return value;
  if (ArrayBuffer.isView(value)) return { kind: 'tensor', data: Array.from(value as unknown as ArrayLike<number>) };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isPlainObject)) return dataframeFromRecords(value);
    return { kind: 'tensor', data: value };
  }
  if (isPlainObject(value)) {
    if (Array.isArray(value.data) && (value.columns === undefined || Array.isArray(value.columns))) {
      const rows = value.data as unknown[];
      const width = Array.isArray(rows[0]) ? rows[0].length : 0;
      const columns = Array.isArray(value.columns) ? value.columns.map(String) : Array.from({ length: width }, (_, i) => String(i));
      return { kind: 'dataframe', columns, rows: rows.map(asArray) };
    }
    return { kind: 'tensors', data: value };
  }
  return { kind: 'tensor', data: value };
}

/** Rows of a data frame as numbers (for numeric models); NaN where a cell is not numeric. */
export function numericRows(input: ModelInput): number[][] {
  if (input.kind === 'dataframe') return input.rows.map((row) => row.map((v) => (typeof v === 'number' ? v : Number(v))));
  if (input.kind === 'tensor') {
    const data = input.data;
    if (!Array.isArray(data)) throw RunlogError.invalidParameter('Expected a 2-D array of numbers.');
    return data.map((row) => (Array.isArray(row) ? row.map(Number) : [Number(row)]));
  }
  throw RunlogError.invalidParameter('Expected a data frame or a 2-D array, got named tensors.');
}

/** The shape of a (rectangular) nested array. */
export function shapeOf(data: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

export function flatten(data: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(data)) for (const item of data) flatten(item, out);
  else out.push(data);
  return out;
}
