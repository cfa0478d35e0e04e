/**
 * `runs/create-promptlab-run` (ajax only): MLflow's prompt-engineering UI saves one evaluation as a finished run —
 * params (model parameters, route, template), MLflow's tags, a `promptlab` pyfunc model and the evaluation table
 * as artifacts. Fields are checked in MLflow's order with its messages.
 */
import {
  RunlogError,
  type Param,
  type Run,
  type RunTag,
  type TrackingStore,
} from '@runlog/core';
import { formatMLmodel, loggedModelJson, newModelUuid, utcTimeCreated, type MLmodel } from '@runlog/client';
import type { ArtifactRoots } from '../artifacts/artifact-roots.js';

const MLFLOW_VERSION = '2.17.2';

function required(args: Record<string, unknown>, name: string): unknown {
  const value = args[name];
  // MLflow tests truthiness: an empty string or list is as missing as an absent field.
  if (value === undefined || value === null || value === '' || value === false || value === 0 || (Array.isArray(value) && value.length === 0)) {
    throw RunlogError.invalidParameter(`CreatePromptlabRun request must specify ${name}.`);
  }
  return value;
}

function text(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw RunlogError.invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied.`);
}

function keyValues(name: string, value: unknown): Param[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw RunlogError.invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied.`);
  return value.map((item: unknown, i) => {
    if (item === null || typeof item !== 'object') {
      throw RunlogError.invalidParameter(`Invalid value ${JSON.stringify(item)} for parameter '${name}[${i}]' supplied.`);
    }
    const { key, value: v } = item as Record<string, unknown>;
    return { key: text(`${name}[${i}].key`, key), value: v === undefined || v === null ? 'None' : text(`${name}[${i}].value`, v) };
  });
}

async function* bytes(content: string): AsyncIterable<Uint8Array> {
  await Promise.resolve();
  yield Buffer.from(content, 'utf8');
}

/** The evaluation table MLflow's UI reads back: prompt parameters, prompt, output, then output parameters. */
function evalResultsJson(prompt: readonly Param[], input: string, outputParams: readonly Param[], output: string | null): string {
  const columns = [...prompt.map((p) => p.key), 'prompt', 'output', ...outputParams.map((p) => p.key)];
  const data = [...prompt.map((p) => p.value), input, output, ...outputParams.map((p) => p.value)];
  return pythonJsonDumps({ columns, data: [data] });
}

/** Python's `json.dumps` defaults: `", "` and `": "` separators, non-ASCII escaped. */
function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
  }
  return (JSON.stringify(value) ?? 'null').replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function yamlScalar(value: string): string {
  return JSON.stringify(value);
}

export async function createPromptlabRun(
  args: Record<string, unknown>,
  deps: { tracking: TrackingStore; roots: ArtifactRoots },
): Promise<{ run: Run }> {
  const experimentId = text('experiment_id', required(args, 'experiment_id'));
  const runName = args.run_name === undefined || args.run_name === null ? undefined : text('run_name', args.run_name);
  const tags: RunTag[] = keyValues('tags', args.tags);
  const promptTemplate = text('prompt_template', required(args, 'prompt_template'));
  const promptParameters = keyValues('prompt_parameters', required(args, 'prompt_parameters'));
  const modelRoute = text('model_route', required(args, 'model_route'));
  const modelParameters = keyValues('model_parameters', args.model_parameters);
  const modelInput = text('model_input', required(args, 'model_input'));
  const modelOutput = args.model_output === undefined || args.model_output === null ? null : text('model_output', args.model_output);
  const outputParameters = keyValues('model_output_parameters', args.model_output_parameters);
  text('mlflow_version', required(args, 'mlflow_version'));
  const userId = args.user_id === undefined ? 'unknown' : text('user_id', args.user_id);
  const startTime = args.start_time === undefined ? Date.now() : Number(args.start_time);
  if (!Number.isSafeInteger(startTime)) throw RunlogError.invalidParameter(`Invalid value ${JSON.stringify(args.start_time)} for parameter 'start_time' supplied.`);

  const run = await deps.tracking.createRun({ experimentId, userId, startTime, tags, runName });
  const runId = run.info.run_id;
  let status: 'FINISHED' | 'FAILED' = 'FINISHED';
  try {
    await deps.tracking.logBatch(
      runId,
      [],
      [...modelParameters, { key: 'model_route', value: modelRoute }, { key: 'prompt_template', value: promptTemplate }],
      [
        { key: 'mlflow.loggedArtifacts', value: '[{"path": "eval_results_table.json", "type": "table"}]' },
        { key: 'mlflow.runSourceType', value: 'PROMPT_ENGINEERING' },
      ],
    );
    const model: MLmodel = {
      artifact_path: 'model',
      flavors: {
        python_function: {
          loader_module: 'mlflow._promptlab',
          python_version: '3.11.2',
          env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
          parameters_path: 'parameters.yaml',
        },
      },
      mlflow_version: MLFLOW_VERSION,
      model_uuid: newModelUuid(),
      run_id: runId,
      saved_input_example_info: { artifact_path: 'input_example.json', type: 'json_object' },
      signature: {
        inputs: JSON.stringify(promptParameters.map((p) => ({ type: 'string', name: p.key, required: true }))),
        outputs: JSON.stringify([{ type: 'string', name: 'output', required: true }]),
        params: null,
      },
      utc_time_created: utcTimeCreated(),
    };
    await deps.tracking.recordLoggedModel(runId, loggedModelJson(model));
    const { repo, prefix } = await deps.roots.forRunRoot(run.info.artifact_uri);
    const at = (path: string) => (prefix === '' ? path : `${prefix}/${path}`);
    const parameters = [
      'model_parameters:',
      ...(modelParameters.length === 0 ? [] : modelParameters.map((p) => `  ${yamlScalar(p.key)}: ${yamlScalar(p.value)}`)),
      `model_route: ${yamlScalar(modelRoute)}`,
      'prompt_parameters:',
      ...promptParameters.map((p) => `  ${yamlScalar(p.key)}: ${yamlScalar(p.value)}`),
      `prompt_template: ${yamlScalar(promptTemplate)}`,
      '',
    ].join('\n');
    await repo.put(at('model/MLmodel'), bytes(formatMLmodel(model)));
    await repo.put(at('model/parameters.yaml'), bytes(parameters.replace('model_parameters:\nmodel_route', 'model_parameters: {}\nmodel_route')));
    await repo.put(at('model/input_example.json'), bytes(JSON.stringify({ inputs: promptParameters.map((p) => p.value) })));
    await repo.put(at('model/requirements.txt'), bytes(`mlflow[gateway]==${MLFLOW_VERSION}\n`));
    await repo.put(at('eval_results_table.json'), bytes(evalResultsJson(promptParameters, modelInput, outputParameters, modelOutput)));
  } catch {
    // As MLflow: whatever failed after the run was created leaves it FAILED rather than half-finished.
    status = 'FAILED';
  }
  await deps.tracking.updateRun(runId, { status, endTime: Date.now(), runName });
  return { run: await deps.tracking.getRun(runId) };
}
