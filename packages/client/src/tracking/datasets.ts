/**
 * Dataset inputs as MLflow's `log_input` records them: name, digest, source type and source (JSON), schema
 * (`{"mlflow_colspec": […]}`) and profile (`{"num_rows", "num_elements"}`), plus the `mlflow.data.context` tag.
 */
import { createHash } from 'node:crypto';
import type { DatasetInput } from '@runlog/core';

export interface DatasetSpec {
  name: string;
  /** Where the data came from: a URI or any JSON object (MLflow stores the source as JSON text). */
  source: string | Readonly<Record<string, unknown>>;
  /** e.g. `local`, `s3`, `http`, `code` (default: derived from a URI source, else `code`). */
  sourceType?: string;
  /** Content fingerprint (default: a hash of name, source, schema and profile). */
  digest?: string;
  schema?: unknown;
  profile?: unknown;
}

function sourceTypeOf(source: DatasetSpec['source']): string {
  if (typeof source !== 'string') return 'code';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(source)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return 'local';
  return scheme === 'https' ? 'http' : scheme;
}

function columnType(values: readonly unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.length > 0 && present.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'long';
  if (present.length > 0 && present.every((v) => typeof v === 'number')) return 'double';
  return 'string';
}

/** A dataset spec for rows of plain values: schema and profile inferred, digest over the content. */
export function datasetFromRecords(
  name: string,
  records: readonly Readonly<Record<string, unknown>>[],
  source: DatasetSpec['source'] = { tags: {} },
): DatasetSpec {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const schema = {
    mlflow_colspec: columns.map((c) => ({ type: columnType(records.map((r) => r[c])), name: c, required: true })),
  };
  const digest = createHash('md5').update(JSON.stringify(records)).digest('hex').slice(0, 8);
  return { name, source, digest, schema, profile: { num_rows: records.length, num_elements: records.length * columns.length } };
}

function jsonText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function datasetInput(spec: DatasetSpec, context?: string): DatasetInput {
  const source = typeof spec.source === 'string' ? JSON.stringify({ uri: spec.source }) : JSON.stringify(spec.source);
  const schema = jsonText(spec.schema);
  const profile = jsonText(spec.profile);
  const digest =
    spec.digest ??
    createHash('md5')
      .update(JSON.stringify([spec.name, source, schema ?? null, profile ?? null]))
      .digest('hex')
      .slice(0, 8);
  return {
    ...(context !== undefined ? { tags: [{ key: 'mlflow.data.context', value: context }] } : { tags: [] }),
    dataset: {
      name: spec.name,
      digest,
      source_type: spec.sourceType ?? sourceTypeOf(spec.source),
      source,
      ...(schema !== undefined ? { schema } : {}),
      ...(profile !== undefined ? { profile } : {}),
    },
  };
}
