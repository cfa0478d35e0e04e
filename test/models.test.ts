/**
 * Models in the SDK, local mode (a SQLite file, no server): MLmodel written by logModel (keys, flavors,
 * signature inferred from the input example, input example files, log-model history), loading by runs:/,
 * models:/name/version, models:/name@alias and a local folder, the generic predict with a preprocessor,
 * signature enforcement, and the onnx and tfjs flavors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunlogClient, parseMLmodel, saveModel, loadModelFromDir } from '@runlog/client';
import { linearRegressionOnnx } from './helpers/onnx-builder.js';
import { rejection } from './helpers/rejection.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const LINEAR = { flavor: 'js_function' as const, module: path.join(FIXTURES, 'linear-model.mjs'), state: { weights: [2, -1], bias: 0.5 } };

let dir: string;
let client: RunlogClient;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-models-'));
  client = new RunlogClient({ trackingUri: `sqlite:///${path.join(dir, 'runlog.db')}`, env: {} });
});
afterAll(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('logModel / loadModel (js_function)', () => {
  it('writes MLflow layout and metadata, infers the signature from the example, and records the model on the run', async () => {
    const run = await client.createRun({ experimentId: '0' });
    const runId = run.info.run_id;
    const logged = await client.logModel(runId, {
      model: LINEAR,
      inputExample: [{ a: 1.5, b: 2 }, { a: 3, b: 4 }],
      preprocessor: { module: path.join(FIXTURES, 'scaler.mjs'), state: { mean: [1, 1], scale: [1, 2] } },
      metadata: { team: 'ml' },
    });
    expect(logged.modelUri).toBe(`runs:/${runId}/model`);
    const listed = (await client.listArtifacts(runId, 'model')).map((f) => f.path);
    expect(listed).toEqual(['model/MLmodel', 'model/code', 'model/input_example.json', 'model/preprocessor', 'model/serving_input_example.json', 'model/state.json']);

    const out = fs.mkdtempSync(path.join(dir, 'dl-'));
    const text = fs.readFileSync(await client.downloadArtifacts(runId, 'model/MLmodel', out), 'utf8');
    const mlmodel = parseMLmodel(text);
    expect(Object.keys(mlmodel).sort()).toEqual([
      'artifact_path', 'flavors', 'metadata', 'model_size_bytes', 'model_uuid', 'preprocessor', 'run_id', 'saved_input_example_info', 'signature', 'utc_time_created',
    ]);
    expect(mlmodel).toMatchObject({ artifact_path: 'model', run_id: runId, metadata: { team: 'ml' } });
    expect(mlmodel.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(text).toContain(`utc_time_created: '${mlmodel.utc_time_created}'`);
    expect(mlmodel.flavors.js_function).toMatchObject({ module: 'code/linear-model.mjs', state: 'state.json', loader: 'loadModel' });
    expect(mlmodel.signature?.inputs).toBe('[{"type": "double", "name": "a", "required": true}, {"type": "long", "name": "b", "required": true}]');
    expect(JSON.parse(mlmodel.signature?.outputs ?? 'null')).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }]);
    expect(mlmodel.saved_input_example_info).toEqual({
      artifact_path: 'input_example.json', pandas_orient: 'split', serving_input_path: 'serving_input_example.json', type: 'dataframe',
    });

    const history = (await client.getRun(runId)).data.tags?.find((t) => t.key === 'mlflow.log-model.history')?.value ?? '[]';
    expect(JSON.parse(history)).toMatchObject([{ run_id: runId, artifact_path: 'model', model_uuid: mlmodel.model_uuid }]);

    // predict = (x - mean) / scale · [2, -1] + 0.5
    const model = await client.loadModel(logged.modelUri);
    expect(model.flavor).toBe('js_function');
    expect(await model.predict([{ a: 3, b: 5 }])).toEqual([(3 - 1) * 2 - (5 - 1) / 2 + 0.5]);
    expect(await model.predict({ columns: ['b', 'a'], data: [[1, 1]] })).toEqual([0.5]);
    expect(await model.predict([[1, 1]])).toEqual([0.5]); // a 2-D array is cast to the named columns

    const missing = await rejection(model.predict([{ a: 1 }]));
    expect(missing.message).toContain(`missing inputs ["b"]`);
    const wrongType = await rejection(model.predict([{ a: 'x', b: 1 }]));
    expect(wrongType.message).toMatch(/column a.*to double/);
    const fractional = await rejection(model.predict([{ a: 1, b: 1.5 }]));
    expect(fractional.message).toMatch(/column b.*to long/);
  });

  it('registers a logged model and loads it by models:/name/version, models:/name@alias and a local folder', async () => {
    const runId = (await client.createRun({ experimentId: '0' })).info.run_id;
    const first = await client.logModel(runId, { model: LINEAR, registeredModelName: 'linear' });
    expect(first.version?.version).toBe('1');
    const second = await client.logModel(runId, {
      model: { ...LINEAR, state: { weights: [1, 1], bias: 0 } },
      artifactPath: 'v2/model',
      registeredModelName: 'linear',
    });
    expect(second.version?.version).toBe('2');
    await client.setRegisteredModelAlias('linear', 'champion', 1);
    await client.transitionModelVersionStage('linear', 1, 'Staging');
    const names: string[] = [];
    for await (const m of client.iterateRegisteredModels({ maxResults: 1 })) names.push(m.name);
    expect(names).toContain('linear');
    const versions: string[] = [];
    for await (const v of client.iterateModelVersions({ filter: "name = 'linear'" })) versions.push(v.version);
    expect(versions.sort()).toEqual(['1', '2']);
    expect(await (await client.loadModel('models:/linear/Staging')).predict([[1, 2]])).toEqual([0.5]);

    expect(await (await client.loadModel('models:/linear/2')).predict([[1, 2]])).toEqual([3]);
    expect(await (await client.loadModel('models:/linear@champion')).predict([[1, 2]])).toEqual([0.5]);
    expect(await (await client.loadModel('models:/linear/latest')).predict([[1, 2]])).toEqual([3]);
    const folder = await client.downloadModel('runs:/' + runId + '/v2/model', fs.mkdtempSync(path.join(dir, 'dl-')));
    expect(await (await client.loadModel(folder)).predict([[2, 2]])).toEqual([4]);
    // The registry's answer for an unknown alias, as MLflow's: INVALID_PARAMETER_VALUE.
    expect((await rejection(client.loadModel('models:/linear@nobody'))).message).toMatch(/nobody/);
    expect((await rejection(client.loadModel('models:/nothing/1'))).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await rejection(client.loadModel('models:/linear'))).errorCode).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('onnx and tfjs flavors', () => {
  it('saves an ONNX model in MLflow onnx layout (onnx + python_function) and predicts with onnxruntime', async () => {
    const target = path.join(dir, 'onnx-model');
    const saved = await saveModel(target, { model: { flavor: 'onnx', model: linearRegressionOnnx([2, -1], 0.5) } });
    expect(saved.flavors.onnx).toMatchObject({ data: 'model.onnx', providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'] });
    expect(saved.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx' });
    expect(fs.readdirSync(target).sort()).toEqual(['MLmodel', 'conda.yaml', 'model.onnx', 'python_env.yaml', 'requirements.txt']);
    expect(fs.readFileSync(path.join(target, 'requirements.txt'), 'utf8')).toBe('mlflow\nonnx\nonnxruntime\n');
    const model = await loadModelFromDir(target);
    expect(model.flavor).toBe('onnx');
    expect(await model.predict([[1, 2], [3, 4]])).toEqual({ variable: [[0.5], [2.5]] });
    expect(await model.predict([{ a: 1, b: 2 }])).toEqual([{ variable: 0.5 }]);
    expect(await model.predict({ input: [[0, 0]] })).toEqual({ variable: [[0.5]] });
  });

  it('saves a TensorFlow.js layers model and predicts the same values after loading', async () => {
    const net = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    net.setWeights([tf.tensor2d([[2], [-1]]), tf.tensor1d([0.5])]);
    const target = path.join(dir, 'tfjs-model');
    const saved = await saveModel(target, { model: { flavor: 'tfjs', model: net }, inputExample: [[1, 2]] });
    expect(saved.flavors.tfjs).toMatchObject({ model: 'model.json' });
    expect(JSON.parse(saved.signature?.inputs ?? '[]')).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 2] } }]);
    const model = await loadModelFromDir(target);
    const out = (await model.predict([[1, 2], [3, 4]])) as number[][];
    expect(out.map((r) => r.map((v) => Math.round(v * 1e5) / 1e5))).toEqual([[0.5], [2.5]]);
    expect((await rejection(model.predict([[1, 2, 3]]))).message).toMatch(/shape/);
  });
});
