/**
 * Writes a model folder in MLflow's layout: the flavor's files, `MLmodel`, an optional input example
 * (`input_example.json` + `serving_input_example.json`), the signature (given, or inferred from the example:
 * inputs from the example, outputs from predicting on it) and a preprocessor saved beside the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { RunlogError } from '@runlog/core';
import { JS_FUNCTION, saveModuleWithState, type ModuleWithState } from './flavors/js-function.js';
import { onnxFlavorConfig, saveOnnxModel } from './flavors/onnx.js';
import { saveTfjsModel, TFJS } from './flavors/tfjs.js';
import { MLMODEL_FILE, formatMLmodel, newModelUuid, utcTimeCreated, type InputExampleInfo, type MLmodel } from './mlmodel.js';
import { toModelInput } from './model-input.js';
import { inferSchema, inferSignature, signatureToText, type ModelSignature } from './signature.js';

export type ModelFlavorSpec =
  | ({ flavor: 'js_function' } & ModuleWithState)
  | { flavor: 'onnx'; /** A `.onnx` file path or its bytes. */ model: string | Uint8Array; onnxVersion?: string }
  | { flavor: 'tfjs'; model: LayersModel };

export interface SaveModelOptions {
  model: ModelFlavorSpec;
  /** Explicit signature; otherwise inferred from `inputExample` when there is one. */
  signature?: ModelSignature;
  inputExample?: unknown;
  /** A module with `loadPreprocessor(state)` returning `{ transform(input) }`, applied before `predict`. */
  preprocessor?: ModuleWithState;
  metadata?: Record<string, unknown>;
  /** Set when logging to a run. */
  runId?: string;
  artifactPath?: string;
}

function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderSize(p) : fs.statSync(p).size;
  }
  return total;
}

function writeInputExample(dir: string, example: unknown): InputExampleInfo {
  const input = toModelInput(example);
  if (input.kind === 'dataframe') {
    const split = { columns: input.columns, data: input.rows };
    fs.writeFileSync(path.join(dir, 'input_example.json'), JSON.stringify(split));
    fs.writeFileSync(path.join(dir, 'serving_input_example.json'), JSON.stringify({ dataframe_split: split }, null, 2));
    return { artifact_path: 'input_example.json', pandas_orient: 'split', serving_input_path: 'serving_input_example.json', type: 'dataframe' };
  }
  const data = input.data;
  fs.writeFileSync(path.join(dir, 'input_example.json'), JSON.stringify(data));
  fs.writeFileSync(path.join(dir, 'serving_input_example.json'), JSON.stringify({ inputs: data }, null, 2));
  return { artifact_path: 'input_example.json', serving_input_path: 'serving_input_example.json', type: input.kind === 'tensor' ? 'ndarray' : 'json_object' };
}

/** Saves the model into `dir` (created; must be empty) and returns the MLmodel written there. */
export async function saveModel(dir: string, options: SaveModelOptions): Promise<MLmodel> {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw RunlogError.alreadyExists(`Model folder '${dir}' is not empty.`);
  let flavors: Record<string, Record<string, unknown>>;
  const spec = options.model;
  switch (spec.flavor) {
    case 'js_function':
      flavors = { [JS_FUNCTION]: { ...saveModuleWithState(dir, spec, '', 'loadModel'), runlog_flavor_version: 1 } };
      break;
    case 'onnx':
      saveOnnxModel(dir, spec.model);
      flavors = onnxFlavorConfig(spec.onnxVersion);
      break;
    case 'tfjs':
      flavors = { [TFJS]: await saveTfjsModel(dir, spec.model) };
      break;
  }
  const model: MLmodel = {
    ...(options.artifactPath !== undefined ? { artifact_path: options.artifactPath } : {}),
    flavors,
    model_uuid: newModelUuid(),
    ...(options.runId !== undefined ? { run_id: options.runId } : {}),
    utc_time_created: utcTimeCreated(),
  };
  if (options.preprocessor !== undefined) {
    model.preprocessor = saveModuleWithState(dir, options.preprocessor, 'preprocessor', 'loadPreprocessor');
  }
  if (options.metadata !== undefined) model.metadata = options.metadata;
  if (options.inputExample !== undefined) model.saved_input_example_info = writeInputExample(dir, options.inputExample);

  let signature = options.signature;
  if (signature === undefined && options.inputExample !== undefined) {
    signature = inferSignature(options.inputExample);
    try {
      // Outputs from the saved model itself, as MLflow infers them by predicting on the example.
      const { loadModelFromDir } = await import('./pyfunc.js');
      const loaded = await loadModelFromDir(dir, { ...model, signature: signatureToText(signature) });
      signature.outputs = inferSchema(await loaded.predict(options.inputExample));
    } catch {
      signature.outputs = null; // a model that cannot predict on its own example keeps an input-only signature
    }
  }
  if (signature !== undefined) model.signature = signatureToText(signature);
  model.model_size_bytes = folderSize(dir);
  fs.writeFileSync(path.join(dir, MLMODEL_FILE), formatMLmodel(model));
  return model;
}
