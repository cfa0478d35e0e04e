/**
 * Scoring-server request bodies (mlflow-registry-auth-models.md §6.2) → model input and params:
 * - JSON with exactly one of `dataframe_split`, `dataframe_records`, `instances`, `inputs`, plus optional `params`;
 * - CSV with a header row (numbers parsed as numbers; the signature casts the rest).
 * Content types other than `application/json` / `text/csv` (optionally `; charset=utf-8`) are refused, which the
 * server answers with 415. Every other problem is a RunlogError (400).
 */
import { RunlogError, parseDelimited } from '@runlog/core';
import { asArray, dataframeFromRecords, isPlainObject, type ModelInput } from './model-input.js';

export const SCORING_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

export interface ScoringRequest {
  input: ModelInput;
  params: Record<string, unknown> | undefined;
}

export type ScoringContentType = 'json' | 'csv';

/** `json`, `csv`, or undefined for a type the scoring server refuses (415). */
export function scoringContentType(header: string | undefined): ScoringContentType | undefined {
  if (header === undefined) return undefined;
  const [type, ...rest] = header.split(';').map((p) => p.trim().toLowerCase());
  for (const param of rest) {
    if (param === '') continue;
    const [name, value] = param.split('=').map((p) => p.trim());
    if (name !== 'charset' || value?.replace(/^"|"$/g, '') !== 'utf-8') return undefined;
  }
  if (type === 'application/json') return 'json';
  if (type === 'text/csv') return 'csv';
  return undefined;
}

function bad(message: string): RunlogError {
  return RunlogError.invalidParameter(message);
}

function dataframeSplit(value: unknown): ModelInput {
  if (!isPlainObject(value)) throw bad("'dataframe_split' must be an object with 'columns' and 'data'.");
  const extra = Object.keys(value).filter((k) => k !== 'columns' && k !== 'data' && k !== 'index');
  if (extra.length > 0) throw bad(`'dataframe_split' has unexpected keys ${JSON.stringify(extra)}: only 'columns', 'data' and 'index' are allowed.`);
  const data = value.data;
  if (!Array.isArray(data)) throw bad("'dataframe_split.data' must be a list of rows.");
  const rows = data.map(asArray);
  let columns: string[];
  if (value.columns === undefined) columns = Array.from({ length: rows[0]?.length ?? 0 }, (_, i) => String(i));
  else if (Array.isArray(value.columns)) columns = value.columns.map(String);
  else throw bad("'dataframe_split.columns' must be a list of column names.");
  if (rows.some((r) => r.length !== columns.length)) throw bad(`Every row of 'dataframe_split.data' must have ${columns.length} values, one per column.`);
  return { kind: 'dataframe', columns, rows };
}

export function parseScoringJson(text: string): ScoringRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw bad(`Invalid input. Ensure that input is a valid JSON formatted string. Error: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isPlainObject(body)) throw bad(`Invalid input. The request body must be a JSON object with one of the keys ${JSON.stringify(SCORING_FORMATS)}.`);
  const present = SCORING_FORMATS.filter((k) => k in body);
  if (present.length !== 1) {
    throw bad(
      `Invalid input. The input must contain exactly one of the keys ${JSON.stringify(SCORING_FORMATS)}` +
        (present.length > 1 ? `; got ${JSON.stringify(present)}.` : '.'),
    );
  }
  const params = body.params;
  if (params !== undefined && !isPlainObject(params)) throw bad("'params' must be an object of name to value.");
  const format = present[0] as (typeof SCORING_FORMATS)[number];
  const value = body[format];
  let input: ModelInput;
  switch (format) {
    case 'dataframe_split':
      input = dataframeSplit(value);
      break;
    case 'dataframe_records':
      if (!Array.isArray(value)) throw bad("'dataframe_records' must be a list of row objects.");
      input = dataframeFromRecords(value);
      break;
    case 'instances':
      if (!Array.isArray(value)) throw bad("'instances' must be a list.");
      input = value.length > 0 && value.every(isPlainObject) ? dataframeFromRecords(value) : { kind: 'tensor', data: value };
      break;
    case 'inputs':
      input = isPlainObject(value) ? { kind: 'tensors', data: value } : { kind: 'tensor', data: value };
      break;
  }
  return { input, params };
}

function csvValue(text: string): unknown {
  if (text === '') return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export function parseScoringCsv(text: string): ScoringRequest {
  const parsed = parseDelimited(text);
  if (parsed.unterminatedQuote) throw bad('Invalid CSV: an unterminated quoted field.');
  const [header, ...rows] = parsed.rows;
  if (header === undefined) throw bad('Invalid CSV: no header row.');
  if (rows.some((r) => r.length !== header.length)) throw bad(`Invalid CSV: every row must have ${header.length} fields, like the header.`);
  return { input: { kind: 'dataframe', columns: header, rows: rows.map((r) => r.map(csvValue)) }, params: undefined };
}
