/**
 * The `onnx` flavor in MLflow's layout (`mlflow.onnx`): `model.onnx` beside the MLmodel, flavor keys `data`,
 * `onnx_version`, `providers`, plus a `python_function` entry with `loader_module: mlflow.onnx`, so a model
 * saved here loads in Python and one logged by Python loads here. onnxruntime-node is imported on first use.
 * Prediction follows MLflow's wrapper: a data frame feeds the single input with its rows (or one input per
 * column when the model has several) and comes back as one record per row; tensors come back as a map of
 * output name to nested arrays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunlogError } from '@runlog/core';
import { flatten, shapeOf, type ModelInput } from '../model-input.js';
import { importPeer } from '../../optional-peer.js';
import { flavorFile, type FlavorLoader, type Predictor } from './flavor.js';

export const ONNX = 'onnx';
export const ONNX_FILE = 'model.onnx';

type Ort = typeof import('onnxruntime-node');
type OrtTensor = InstanceType<Ort['Tensor']>;

/** MLmodel flavor entries for an ONNX file written as `model.onnx`. */
export function onnxFlavorConfig(onnxVersion = '1.17.0'): Record<string, Record<string, unknown>> {
  return {
    onnx: { code: null, data: ONNX_FILE, onnx_version: onnxVersion, providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'] },
    python_function: {
      data: ONNX_FILE,
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'mlflow.onnx',
      python_version: '3.10.14',
    },
  };
}

/** Writes `model.onnx` and the environment files the `python_function` entry names, so Python can serve it too. */
export function saveOnnxModel(dir: string, model: string | Uint8Array): void {
  const bytes = typeof model === 'string' ? fs.readFileSync(model) : model;
  fs.writeFileSync(path.join(dir, ONNX_FILE), bytes);
  const requirements = ['mlflow', 'onnx', 'onnxruntime'];
  fs.writeFileSync(path.join(dir, 'requirements.txt'), `${requirements.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'python_env.yaml'), 'python: 3.10.14\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n');
  fs.writeFileSync(
    path.join(dir, 'conda.yaml'),
    `channels:\n- conda-forge\ndependencies:\n- python=3.10.14\n- pip\n- pip:\n${requirements.map((r) => `  - ${r}`).join('\n')}\nname: mlflow-env\n`,
  );
}

function tensorFor(ort: Ort, data: unknown, type: string | undefined): OrtTensor {
  const shape = shapeOf(data);
  const values = flatten(data);
  switch (type ?? 'float32') {
    case 'float64':
      return new ort.Tensor('float64', Float64Array.from(values, Number), shape);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(Math.trunc(Number(v)))), shape);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(values, Number), shape);
    case 'bool':
      return new ort.Tensor('bool', Uint8Array.from(values, (v) => (v ? 1 : 0)), shape);
    case 'string':
      return new ort.Tensor('string', values.map(String), shape);
    default:
      return new ort.Tensor('float32', Float32Array.from(values, Number), shape);
  }
}

function nested(tensor: OrtTensor): unknown {
  const flat = Array.from(tensor.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
  const dims = [...tensor.dims];
  const build = (offset: number, depth: number): unknown => {
    if (depth === dims.length) return flat[offset];
    const size = dims.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[depth] ?? 0 }, (_, i) => build(offset + i * size, depth + 1));
  };
  return dims.length === 0 ? flat[0] : build(0, 0);
}

export const onnxFlavor: FlavorLoader = {
  name: ONNX,
  load: async (dir, config) => {
    const ort = await importPeer('onnxruntime-node', 'The onnx flavor', () => import('onnxruntime-node') as Promise<Ort>);
    const file = path.join(dir, flavorFile(config, 'data', ONNX));
    const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
    const inputType = new Map<string, string>();
    for (const meta of session.inputMetadata) if (meta.isTensor) inputType.set(meta.name, meta.type);
    const predictor: Predictor = {
      predict: async (input: ModelInput) => {
        const feeds: Record<string, OrtTensor> = {};
        const names = session.inputNames;
        if (input.kind === 'tensors') {
          for (const name of names) {
            if (!(name in input.data)) throw RunlogError.invalidParameter(`The ONNX model needs the input '${name}'.`);
            feeds[name] = tensorFor(ort, input.data[name], inputType.get(name));
          }
        } else if (input.kind === 'dataframe' && names.length > 1) {
          for (const name of names) {
            const col = input.columns.indexOf(name);
            if (col < 0) throw RunlogError.invalidParameter(`The ONNX model needs the column '${name}'.`);
            feeds[name] = tensorFor(ort, input.rows.map((r) => [r[col]]), inputType.get(name));
          }
        } else {
          const name = names[0] ?? 'input';
          feeds[name] = tensorFor(ort, input.kind === 'dataframe' ? input.rows : input.data, inputType.get(name));
        }
        const results = await session.run(feeds);
        const outputs: Record<string, unknown> = {};
        for (const name of session.outputNames) {
          const value = results[name];
          if (value !== undefined) outputs[name] = nested(value);
        }
        if (input.kind !== 'dataframe') return outputs;
        const rows = input.rows.length;
        return Array.from({ length: rows }, (_, i) =>
          Object.fromEntries(
            Object.entries(outputs).map(([name, value]) => {
              const cell = Array.isArray(value) ? (value[i] as unknown) : value;
              return [name, Array.isArray(cell) && cell.length === 1 ? (cell[0] as unknown) : cell];
            }),
          ),
        );
      },
    };
    return predictor;
  },
};
