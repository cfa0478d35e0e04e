/**
 * The generic model, as `mlflow.pyfunc` gives one: load a model folder whatever its flavor, then
 * `predict(input, params)` with the input checked and cast against the signature and passed through the
 * preprocessor logged beside the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunlogError } from '@runlog/core';
import { jsFunctionFlavor, loadPreprocessor, type Preprocessor } from './flavors/js-function.js';
import type { FlavorLoader, Predictor } from './flavors/flavor.js';
import { onnxFlavor } from './flavors/onnx.js';
import { tfjsFlavor } from './flavors/tfjs.js';
import { MLMODEL_FILE, parseMLmodel, type MLmodel } from './mlmodel.js';
import { toModelInput } from './model-input.js';
import { enforceParams, enforceSchema, signatureFromText, type ModelSignature } from './signature.js';

/** Flavors Runlog loads, in order of preference when a model has several. */
export const FLAVOR_LOADERS: readonly FlavorLoader[] = [jsFunctionFlavor, tfjsFlavor, onnxFlavor];

export interface LoadedModel {
  readonly metadata: MLmodel;
  readonly signature: ModelSignature | undefined;
  /** The flavor that was loaded. */
  readonly flavor: string;
  /** The local folder holding the model's files. */
  readonly modelDir: string;
  /** Predicts on a data frame (row objects or `{columns, data}`), a tensor (nested arrays) or named tensors. */
  predict(input: unknown, params?: Readonly<Record<string, unknown>>): Promise<unknown>;
}

export function readMLmodelFile(dir: string): MLmodel {
  const file = path.join(dir, MLMODEL_FILE);
  if (!fs.existsSync(file)) throw RunlogError.notFound(`No MLmodel file in '${dir}': not a model folder.`);
  return parseMLmodel(fs.readFileSync(file, 'utf8'));
}

export async function loadModelFromDir(dir: string, metadata: MLmodel = readMLmodelFile(dir)): Promise<LoadedModel> {
  const loader = FLAVOR_LOADERS.find((f) => metadata.flavors[f.name] !== undefined);
  if (loader === undefined) {
    throw new RunlogError(
      'NOT_IMPLEMENTED',
      `No flavor of this model can be loaded in JavaScript: it has ${Object.keys(metadata.flavors).join(', ') || 'none'}; ` +
        `Runlog loads ${FLAVOR_LOADERS.map((f) => f.name).join(', ')}.`,
    );
  }
  const predictor: Predictor = await loader.load(dir, metadata.flavors[loader.name] ?? {}, metadata);
  const pre = metadata.preprocessor;
  const preprocessor: Preprocessor | undefined =
    typeof pre === 'object' && pre !== null ? await loadPreprocessor(dir, pre as Record<string, unknown>) : undefined;
  const signature = signatureFromText(metadata.signature);
  return {
    metadata,
    signature,
    flavor: loader.name,
    modelDir: dir,
    predict: async (raw, params) => {
      let input = enforceSchema(toModelInput(raw), signature?.inputs);
      const merged = enforceParams(params, signature?.params);
      if (preprocessor !== undefined) input = toModelInput(await preprocessor.transform(input));
      return await predictor.predict(input, merged);
    },
  };
}
