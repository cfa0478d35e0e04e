/**
 * Model signatures as MLflow encodes them (§5.4: lists of column or tensor specs as JSON text), inferred from
 * an input example, and enforced on prediction input: missing columns and values that cannot be cast safely are
 * 400 BAD_REQUEST-style RunlogErrors naming the column.
 */
import { RunlogError } from '@runlog/core';
import type { SignatureText } from './mlmodel.js';
import { asArray, flatten, isPlainObject, shapeOf, toModelInput, type ModelInput } from './model-input.js';

export interface ColSpec {
  type: string;
  name?: string;
  required?: boolean;
}

export interface TensorSpec {
  type: 'tensor';
  'tensor-spec': { dtype: string; shape: number[] };
  name?: string;
}

export type Schema = ColSpec[] | TensorSpec[];

export interface ParamSpec {
  name: string;
  type: string;
  default: unknown;
  shape: number[] | null;
}

export interface ModelSignature {
  inputs: Schema | null;
  outputs: Schema | null;
  params: ParamSpec[] | null;
}

/** Python's `json.dumps` layout (", " and ": " separators), as MLflow writes signature text. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return JSON.stringify(value ?? null);
}

function specToDict(spec: ColSpec | TensorSpec): Record<string, unknown> {
  if (spec.type === 'tensor') {
    const t = spec as TensorSpec;
    return t.name !== undefined ? { name: t.name, type: 'tensor', 'tensor-spec': t['tensor-spec'] } : { type: 'tensor', 'tensor-spec': t['tensor-spec'] };
  }
  const c = spec as ColSpec;
  return { type: c.type, ...(c.name !== undefined ? { name: c.name } : {}), required: c.required ?? true };
}

export function signatureToText(signature: ModelSignature): SignatureText {
  return {
    inputs: signature.inputs ? pythonJson(signature.inputs.map(specToDict)) : null,
    outputs: signature.outputs ? pythonJson(signature.outputs.map(specToDict)) : null,
    params: signature.params ? pythonJson(signature.params) : null,
  };
}

export function signatureFromText(text: SignatureText | undefined): ModelSignature | undefined {
  if (text === undefined || text === null) return undefined;
  const parse = (s: string | null | undefined): unknown => (typeof s === 'string' && s !== '' ? JSON.parse(s) : null);
  return { inputs: parse(text.inputs) as Schema | null, outputs: parse(text.outputs) as Schema | null, params: parse(text.params) as ParamSpec[] | null };
}

function columnType(values: readonly unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.length > 0 && present.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'long';
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return 'double';
  return 'string';
}

function tensorSpec(data: unknown, name?: string): TensorSpec {
  const values = flatten(data);
  const dtype = values.every((v) => typeof v === 'boolean') ? 'bool' : values.every((v) => typeof v === 'number') ? 'float64' : 'object';
  const shape = shapeOf(data);
  return { type: 'tensor', 'tensor-spec': { dtype, shape: shape.length === 0 ? [] : [-1, ...shape.slice(1)] }, ...(name !== undefined ? { name } : {}) };
}

export function inferSchema(example: unknown): Schema {
  const input = toModelInput(example);
  if (input.kind === 'dataframe') {
    return input.columns.map((name, i) => ({ type: columnType(input.rows.map((r) => r[i])), name, required: true }));
  }
  if (input.kind === 'tensor') return [tensorSpec(input.data)];
  return Object.entries(input.data).map(([name, data]) => tensorSpec(data, name));
}

/** MLflow's `infer_signature(model_input, model_output, params)`. */
export function inferSignature(inputExample: unknown, outputExample?: unknown, params?: Readonly<Record<string, unknown>>): ModelSignature {
  return {
    inputs: inferSchema(inputExample),
    outputs: outputExample === undefined ? null : inferSchema(outputExample),
    params:
      params === undefined
        ? null
        : Object.entries(params).map(([name, value]) => ({
            name,
            type: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? (Number.isInteger(value) ? 'long' : 'double') : 'string',
            default: value,
            shape: Array.isArray(value) ? [-1] : null,
          })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Enforcement
// ---------------------------------------------------------------------------------------------------------------

function mismatch(message: string): RunlogError {
  return RunlogError.invalidParameter(message);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function castCell(value: unknown, type: string, column: string): unknown {
  if (value === null || value === undefined) return null;
  const fail = (): RunlogError =>
    mismatch(`Incompatible input types for column ${column}. Can not safely convert ${describe(value)} ${JSON.stringify(value)} to ${type}.`);
  switch (type) {
    case 'integer':
    case 'long': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw fail();
      return n;
    }
    case 'float':
    case 'double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || (Number.isNaN(n) && value !== 'NaN' && !Number.isNaN(value))) throw fail();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'True') return true;
      if (value === 'false' || value === 'False') return false;
      throw fail();
    case 'string':
      if (typeof value === 'string') return value;
      throw fail();
    default:
      return value;
  }
}

function enforceColumns(input: ModelInput, schema: ColSpec[]): ModelInput {
  const named = schema.every((c) => c.name !== undefined);
  let frame: { columns: string[]; rows: unknown[][] };
  if (input.kind === 'dataframe') frame = input;
  else if (input.kind === 'tensors') {
    const columns = Object.keys(input.data);
    const cols = columns.map((c) => asArray(input.data[c]));
    const length = Math.max(0, ...cols.map((c) => c.length));
    frame = { columns, rows: Array.from({ length }, (_, i) => cols.map((c) => c[i] ?? null)) };
  } else {
    const data = input.data;
    const rows = Array.isArray(data) ? data.map(asArray) : [[data]];
    const width = rows[0]?.length ?? 0;
    if (width !== schema.length) {
      throw mismatch(`Model expects ${schema.length} input columns, got rows of ${width} values.`);
    }
    frame = { columns: schema.map((c, i) => c.name ?? String(i)), rows };
  }
  if (!named) {
    if ((frame.rows[0]?.length ?? schema.length) !== schema.length) {
      throw mismatch(`Model expects ${schema.length} input columns, got ${frame.rows[0]?.length ?? 0}.`);
    }
    return { kind: 'dataframe', columns: frame.columns, rows: frame.rows.map((row) => row.map((v, i) => castCell(v, schema[i]?.type ?? 'any', String(i)))) };
  }
  const index = new Map(frame.columns.map((c, i) => [c, i]));
  const missing = schema.filter((c) => (c.required ?? true) && !index.has(c.name ?? '')).map((c) => c.name ?? '');
  if (missing.length > 0) {
    throw mismatch(`Model is missing inputs ${JSON.stringify(missing)}. Note that there were extra inputs: ${JSON.stringify(frame.columns.filter((c) => !schema.some((s) => s.name === c)))}.`);
  }
  const present = schema.filter((c) => index.has(c.name ?? ''));
  return {
    kind: 'dataframe',
    columns: present.map((c) => c.name ?? ''),
    rows: frame.rows.map((row) => present.map((c) => castCell(row[index.get(c.name ?? '') ?? -1], c.type, c.name ?? ''))),
  };
}

function checkTensor(data: unknown, spec: TensorSpec, what: string): unknown {
  const expected = spec['tensor-spec'].shape;
  const actual = shapeOf(data);
  if (expected.length !== actual.length || expected.some((d, i) => d !== -1 && d !== actual[i])) {
    throw mismatch(`Shape of input ${what}${JSON.stringify(actual)} does not match expected shape ${JSON.stringify(expected)}.`);
  }
  const dtype = spec['tensor-spec'].dtype;
  if (/^(float|int|uint)/.test(dtype) && !flatten(data).every((v) => typeof v === 'number')) {
    throw mismatch(`Input ${what}must be numeric to match the signature's dtype ${dtype}.`);
  }
  return data;
}

function enforceTensors(input: ModelInput, schema: TensorSpec[]): ModelInput {
  const named = schema.every((s) => s.name !== undefined);
  if (named && schema.length > 1) {
    if (input.kind !== 'tensors') throw mismatch(`Model expects named inputs ${JSON.stringify(schema.map((s) => s.name))}.`);
    const out: Record<string, unknown> = {};
    for (const spec of schema) {
      const name = spec.name ?? '';
      if (!(name in input.data)) throw mismatch(`Model is missing inputs ${JSON.stringify([name])}.`);
      out[name] = checkTensor(input.data[name], spec, `'${name}' `);
    }
    return { kind: 'tensors', data: out };
  }
  const spec = schema[0];
  if (spec === undefined) return input;
  let data: unknown;
  if (input.kind === 'dataframe') data = input.rows;
  else if (input.kind === 'tensor') data = input.data;
  else {
    const values = Object.values(input.data);
    if (values.length !== 1) throw mismatch('Model expects a single input tensor.');
    data = values[0];
  }
  return { kind: 'tensor', data: checkTensor(data, spec, '') };
}

/** The input cast to the signature's input schema, or a RunlogError saying what does not match. */
export function enforceSchema(input: ModelInput, schema: Schema | null | undefined): ModelInput {
  if (!schema || schema.length === 0) return input;
  return schema.every((s) => s.type === 'tensor') ? enforceTensors(input, schema as TensorSpec[]) : enforceColumns(input, schema);
}

/**
 * Inference params over the signature's defaults. As MLflow does, names the signature does not declare are
 * dropped (a model without a params schema gets the params as given).
 */
export function enforceParams(params: Readonly<Record<string, unknown>> | undefined, specs: ParamSpec[] | null | undefined): Record<string, unknown> {
  if (!specs) return { ...params };
  const out: Record<string, unknown> = {};
  for (const spec of specs) out[spec.name] = params !== undefined && spec.name in params ? params[spec.name] : spec.default;
  return out;
}
