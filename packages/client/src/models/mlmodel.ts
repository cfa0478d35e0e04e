/**
 * MLflow's `MLmodel` file: read (unknown keys kept, as `Model.from_dict` keeps them) and write (byte-compatible
 * with Python's `yaml.safe_dump`, see pyyaml-dump.ts). Keys and meanings: mlflow-registry-auth-models.md §5.
 */
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { RunlogError } from '@runlog/core';
import { pyyamlDump } from './pyyaml-dump.js';

export const MLMODEL_FILE = 'MLmodel';

export interface SignatureText {
  /** JSON text of a list of column or tensor specs, or null. */
  inputs: string | null;
  outputs: string | null;
  params: string | null;
}

export interface InputExampleInfo {
  artifact_path: string;
  type: string;
  pandas_orient?: string;
  serving_input_path?: string;
  [key: string]: unknown;
}

export interface MLmodel {
  artifact_path?: string;
  run_id?: string;
  flavors: Record<string, Record<string, unknown>>;
  utc_time_created?: string;
  model_uuid?: string | null;
  mlflow_version?: string;
  signature?: SignatureText;
  saved_input_example_info?: InputExampleInfo;
  metadata?: Record<string, unknown>;
  model_size_bytes?: number;
  [key: string]: unknown;
}

/** `str(datetime.utcnow())`: `YYYY-MM-DD HH:MM:SS.ffffff` (microseconds from the millisecond clock). */
export function utcTimeCreated(date: Date = new Date()): string {
  const iso = date.toISOString(); // 2024-11-07T10:11:12.345Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}

export function newModelUuid(): string {
  return randomUUID().replaceAll('-', '');
}

export function parseMLmodel(text: string): MLmodel {
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: 'core' });
  } catch (err) {
    throw RunlogError.invalidParameter(`Invalid MLmodel file: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw RunlogError.invalidParameter('Invalid MLmodel file: expected a mapping at the top level.');
  }
  const model = data as Record<string, unknown>;
  const flavors = model.flavors;
  if (typeof flavors !== 'object' || flavors === null || Array.isArray(flavors)) {
    throw RunlogError.invalidParameter("Invalid MLmodel file: 'flavors' must be a mapping of flavor name to its configuration.");
  }
  // Old files have no model_uuid; MLflow reads it as None.
  return { model_uuid: null, ...model, flavors: flavors as Record<string, Record<string, unknown>> };
}

/** The file's text, exactly as MLflow's Python client writes it for the same data. */
export function formatMLmodel(model: MLmodel): string {
  return pyyamlDump(model);
}

/** The JSON MLflow sends in `runs/log-model`'s `model_json` (and keeps in `mlflow.log-model.history`). */
export function loggedModelJson(model: MLmodel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['run_id', 'artifact_path', 'utc_time_created', 'model_uuid', 'flavors', 'signature', 'saved_input_example_info', 'metadata']) {
    if (model[key] !== undefined && model[key] !== null) out[key] = model[key];
  }
  return out;
}
