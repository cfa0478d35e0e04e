import { describe, expect, it } from 'vitest';
import { formatMLmodel, parseMLmodel, utcTimeCreated } from './mlmodel.js';
import { pyyamlDump } from './pyyaml-dump.js';

// The MLmodel the Python client (mlflow 2.22) uploaded in the recorded log_model exchange, byte for byte.
const PYTHON_WRITTEN = `artifact_path: model
flavors:
  python_function:
    cloudpickle_version: 2.2.0
    code: null
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.pyfunc.model
    python_model: python_model.pkl
    python_version: 3.11.2
    streamable: false
mlflow_version: 2.22.1.dev0
model_size_bytes: 1228
model_uuid: 3930bf78248b4499a79a3d833ef97011
prompts: null
run_id: f6e7a25524314b0ba9295f4cdb88937e
utc_time_created: '2026-11-28 06:41:21.935029'
`;

// The reference's composed example: folded single-quoted signature strings, a quoted time, nested maps.
const WITH_SIGNATURE = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.10.14
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.2
mlflow_version: 2.17.2
model_size_bytes: 4821
model_uuid: 5c1e0d2a9b7f4e43a1c2d3e4f5a6b7c8
run_id: 8f3a2b1c0d9e4f5a6b7c8d9e0f1a2b3c
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  serving_input_path: serving_input_example.json
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal_len", "required": true}, {"type": "double",
    "name": "sepal_wid", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: null
utc_time_created: '2024-11-07 10:11:12.345678'
`;

describe('MLmodel', () => {
  it('reads the Python-written file and writes it back byte for byte', () => {
    const model = parseMLmodel(PYTHON_WRITTEN);
    expect(model.flavors.python_function?.python_version).toBe('3.11.2');
    expect(model.utc_time_created).toBe('2026-11-28 06:41:21.935029');
    expect(model.prompts).toBeNull();
    expect(formatMLmodel(model)).toBe(PYTHON_WRITTEN);
  });

  it('folds long signature strings and quotes ambiguous scalars as PyYAML does', () => {
    const model = parseMLmodel(WITH_SIGNATURE);
    expect(JSON.parse(model.signature?.inputs ?? '')).toHaveLength(2);
    expect(formatMLmodel(model)).toBe(WITH_SIGNATURE);
  });

  it('quotes what YAML 1.1 would read as another type and escapes what is not printable ASCII', () => {
    expect(
      pyyamlDump({ a: 'yes', b: '3.10', c: '2024-01-01', d: '', e: "it's", f: 'x: y', g: '- z', h: '#c', i: 'é', j: 7, k: 0.5, l: 1e-7, m: [], n: {} }),
    ).toBe(
      [`a: 'yes'`, `b: '3.10'`, `c: '2024-01-01'`, `d: ''`, `e: it's`, `f: 'x: y'`, `g: '- z'`, `h: '#c'`, `i: "\\xE9"`, 'j: 7', 'k: 0.5', 'l: 1.0e-07', 'm: []', 'n: {}', ''].join(
        '\n',
      ),
    );
    expect(pyyamlDump({ providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'], rows: [{ b: 1, a: 2 }] })).toBe(
      'providers:\n- CUDAExecutionProvider\n- CPUExecutionProvider\nrows:\n- a: 2\n  b: 1\n',
    );
  });

  it('writes utc_time_created as str(datetime.utcnow()) does', () => {
    expect(utcTimeCreated(new Date(Date.UTC(2024, 10, 7, 10, 11, 12, 345)))).toBe('2024-11-07 10:11:12.345000');
  });

  it('refuses a file without a flavors mapping', () => {
    expect(() => parseMLmodel('artifact_path: x\n')).toThrow(/flavors/);
    expect(() => parseMLmodel('- a\n')).toThrow(/mapping/);
  });
});
