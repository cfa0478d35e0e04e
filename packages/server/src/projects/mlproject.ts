/**
 * Reads a project folder as MLflow does (`mlflow/projects/_project_spec.py`): an `MLproject` file (any letter
 * case) with `name`, `entry_points` (typed `parameters` with defaults, a `command` template) and at most one of
 * `python_env`, `conda_env`, `docker_env`; without one, `python_env.yaml` / `conda.yaml` name the environment.
 * Keys MLflow does not read are ignored, as there. Unlike MLflow, the file is checked up front and every problem names its line, so a bad project never starts
 * a run: unknown parameter types, defaults of the wrong type, and `{placeholders}` that are not parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunlogError } from '@runlog/core';
import YAML, { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { pythonFloat } from './python-text.js';

export const PARAMETER_TYPES = ['string', 'float', 'int', 'path', 'uri'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  /** As Python's `str()` of what PyYAML reads; undefined when the parameter is required. */
  readonly default?: string;
  readonly line: number;
}

export interface EntryPoint {
  readonly name: string;
  readonly parameters: readonly ParameterSpec[];
  /** A Python `str.format` template: `{param}` is replaced, `{{`/`}}` are literal braces. */
  readonly command: string;
}

export type DockerEnvVar = string | readonly [string, string];

export interface DockerEnv {
  readonly image: string;
  readonly volumes: readonly string[];
  /** A name copies the host's variable; a pair sets one. */
  readonly environment: readonly DockerEnvVar[];
}

export type ProjectEnv =
  | { readonly type: 'python_env' | 'conda_env'; readonly file: string }
  | { readonly type: 'docker_env'; readonly docker: DockerEnv }
  | { readonly type: 'none' };

export interface Project {
  readonly dir: string;
  /** The MLproject file, when the folder has one. */
  readonly file?: string;
  readonly name?: string;
  readonly entryPoints: ReadonlyMap<string, EntryPoint>;
  readonly env: ProjectEnv;
}

const ENV_KEYS = ['python_env', 'conda_env', 'docker_env'] as const;
// PyYAML's (YAML 1.1) number forms: the `yaml` library also reads `1e-3` as a number, PyYAML keeps it a string.
const PYYAML_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PYYAML_INT = /^(?:[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$/;
const FLOAT_TEXT = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;
const INT_TEXT = /^\s*[+-]?\d+\s*$/;

/** The MLproject file of a folder (MLflow matches the name in any letter case), if any. */
export function findMlproject(dir: string): string | undefined {
  const name = fs.readdirSync(dir).find((f) => f.toLowerCase() === 'mlproject');
  return name === undefined ? undefined : path.join(dir, name);
}

/** Whether `value` is acceptable for a parameter of `type` (as Python's `float()`/`int()` would read it). */
export function matchesType(type: ParameterType, value: string): boolean {
  if (type === 'float') return FLOAT_TEXT.test(value);
  if (type === 'int') return INT_TEXT.test(value);
  return true;
}

export function loadProject(dir: string): Project {
  const file = findMlproject(dir);
  const project = file === undefined ? { entryPoints: new Map<string, EntryPoint>() } : parseMlproject(fs.readFileSync(file, 'utf8'), file);
  const env = project.env ?? defaultEnv(dir);
  if ((env.type === 'python_env' || env.type === 'conda_env') && !fs.existsSync(env.file)) {
    throw invalid(file ?? dir, undefined, `${env.type} names ${env.file}, but no such file was found`);
  }
  return { dir, ...(file !== undefined ? { file } : {}), ...project, env };
}

function defaultEnv(dir: string): ProjectEnv {
  for (const [type, name] of [['python_env', 'python_env.yaml'], ['conda_env', 'conda.yaml']] as const) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return { type, file };
  }
  return { type: 'none' };
}

interface Parsed {
  name?: string;
  entryPoints: Map<string, EntryPoint>;
  env?: ProjectEnv;
}

/** Parses MLproject text; `file` is the path used in messages and to resolve environment files. */
export function parseMlproject(text: string, file: string): Parsed {
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { version: '1.1', lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const fail = (node: Node | null | undefined, message: string): never => {
    throw invalid(file, lineOf(node), message);
  };
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) throw invalid(file, yamlError.linePos?.[0].line, (yamlError.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, ''));

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { entryPoints: new Map() };
  if (!isMap(root)) return fail(root, 'the file must be a mapping (name, entry_points, ...)');

  const parsed: Parsed = { entryPoints: new Map() };
  const envPairs: Pair<Scalar>[] = [];
  for (const pair of pairs(root, fail)) {
    const key = keyText(pair.key);
    if (key === 'databricks_spark_job') fail(pair.key, 'databricks_spark_job projects run on Databricks only; Runlog runs projects locally');
    if (key === 'name') parsed.name = scalarText(pair.value, () => fail(pair.key, "'name' must be a string"));
    if (key === 'entry_points') parsed.entryPoints = entryPoints(pair.value, pair.key, fail, lineOf);
    if ((ENV_KEYS as readonly string[]).includes(key)) envPairs.push(pair);
  }
  if (envPairs.length > 1) {
    fail(envPairs[1]?.key, `a project may name one environment, not ${envPairs.map((p) => keyText(p.key)).join(' and ')}`);
  }
  const envPair = envPairs[0];
  if (envPair !== undefined) parsed.env = projectEnv(envPair, path.dirname(file), fail);
  return parsed;
}

type Fail = (node: Node | null | undefined, message: string) => never;
type LineOf = (node: Node | null | undefined) => number | undefined;

function pairs(map: YAMLMap, fail: Fail): Pair<Scalar, Node | null>[] {
  return map.items.map((pair) => {
    const key = pair.key;
    if (!isScalar(key) || !['string', 'number', 'boolean'].includes(typeof key.value)) {
      return fail(isScalar(key) ? key : map, 'keys must be plain names');
    }
    return pair as Pair<Scalar, Node | null>;
  });
}

function keyText(key: Scalar): string {
  return scalarText(key, () => {
    throw new Error('pairs() admits scalar keys only');
  });
}

/** Python's `str()` of a scalar; `y`/`n` stay text (booleans in the `yaml` library's YAML 1.1, not in PyYAML). */
function scalarText(node: unknown, onError: () => never): string {
  if (!isScalar(node)) return onError();
  const value = node.value;
  if (typeof value === 'boolean') {
    if (node.type === 'PLAIN' && typeof node.source === 'string' && /^[yYnN]$/.test(node.source)) return node.source;
    return value ? 'True' : 'False';
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  return onError();
}

function entryPoints(node: Node | null, at: Node, fail: Fail, lineOf: LineOf): Map<string, EntryPoint> {
  const result = new Map<string, EntryPoint>();
  if (node === null || (isScalar(node) && node.value === null)) return result;
  if (!isMap(node)) return fail(at, "'entry_points' must map entry point names to {parameters, command}");
  for (const pair of pairs(node, fail)) {
    const name = keyText(pair.key);
    const body = pair.value;
    if (!isMap(body)) return fail(pair.key, `entry point '${name}' must be a mapping with a 'command'`);
    let command: string | undefined;
    let parameters: ParameterSpec[] = [];
    let commandNode: Node | undefined;
    for (const field of pairs(body, fail)) {
      const key = keyText(field.key);
      if (key === 'command') {
        command = scalarText(field.value, () => fail(field.key, `the command of entry point '${name}' must be a string`));
        commandNode = field.key;
      } else if (key === 'parameters') {
        parameters = parameterSpecs(field.value, field.key, name, fail, lineOf);
      }
    }
    if (command === undefined) return fail(pair.key, `entry point '${name}' has no command`);
    const names = new Set(parameters.map((p) => p.name));
    for (const placeholder of placeholders(command, (message) => fail(commandNode, `entry point '${name}': ${message}`))) {
      if (!names.has(placeholder)) fail(commandNode, `the command of entry point '${name}' uses {${placeholder}}, which is not one of its parameters`);
    }
    result.set(name, { name, parameters, command });
  }
  return result;
}

function parameterSpecs(node: Node | null, at: Node, entry: string, fail: Fail, lineOf: LineOf): ParameterSpec[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isMap(node)) return fail(at, `the parameters of entry point '${entry}' must be a mapping`);
  return pairs(node, fail).map((pair) => {
    const name = keyText(pair.key);
    let typeNode: Node | null = pair.value;
    let defaultNode: Node | null | undefined;
    if (isMap(pair.value)) {
      typeNode = null;
      for (const field of pairs(pair.value, fail)) {
        const key = keyText(field.key);
        if (key === 'type') typeNode = field.value;
        else if (key === 'default') defaultNode = field.value;
      }
    }
    const type = typeNode === null ? 'string' : scalarText(typeNode, () => fail(pair.key, `parameter '${name}': the type must be a name`));
    if (!(PARAMETER_TYPES as readonly string[]).includes(type)) {
      fail(typeNode ?? pair.key, `parameter '${name}' has type '${type}'; expected one of ${PARAMETER_TYPES.join(', ')}`);
    }
    const spec: { name: string; type: ParameterType; default?: string; line: number } = {
      name,
      type: type as ParameterType,
      line: lineOf(pair.key) ?? 0,
    };
    if (defaultNode !== undefined && !(isScalar(defaultNode) && defaultNode.value === null)) {
      const value = defaultText(defaultNode, () => fail(defaultNode, `the default of parameter '${name}' must be a single value`));
      if (!matchesType(spec.type, value)) fail(defaultNode, `the default of parameter '${name}' is '${value}', which is not of type ${spec.type}`);
      spec.default = value;
    }
    return spec;
  });
}

/** Python's `str()` of the value PyYAML would read for this scalar. */
function defaultText(node: Node | null, onError: () => never): string {
  if (!isScalar(node) || node.value === null || typeof node.value === 'object') return onError();
  if (typeof node.value === 'number' && node.type === 'PLAIN' && typeof node.source === 'string') {
    const source = node.source;
    if (PYYAML_FLOAT.test(source)) return pythonFloat(node.value);
    if (PYYAML_INT.test(source)) return String(node.value);
    return source;
  }
  return scalarText(node, onError);
}

/** The `{name}` fields of a Python format string; `{{` and `}}` are escapes. */
export function placeholders(template: string, fail: (message: string) => never): string[] {
  const found: string[] = [];
  for (const token of template.matchAll(/\{\{|\}\}|\{([^{}]*)\}|[{}]/g)) {
    if (token[0] === '{{' || token[0] === '}}') continue;
    const field = token[1];
    if (field === undefined) fail(`unmatched '${token[0]}' in the command (write {{ or }} for a literal brace)`);
    else found.push(field);
  }
  return found;
}

function projectEnv(pair: Pair<Scalar>, dir: string, fail: Fail): ProjectEnv {
  const key = keyText(pair.key) as (typeof ENV_KEYS)[number];
  const value = pair.value as Node | null;
  if (key !== 'docker_env') {
    const file = scalarText(value, () => fail(pair.key, `${key} must name a file in the project`));
    return { type: key, file: path.join(dir, file) };
  }
  if (!isMap(value)) return fail(pair.key, 'docker_env must be a mapping with an image');
  let image: string | undefined;
  let volumes: string[] = [];
  let environment: DockerEnvVar[] = [];
  for (const field of pairs(value, fail)) {
    const name = keyText(field.key);
    if (name === 'image') {
      image = scalarText(field.value, () => fail(field.key, 'docker_env: the image must be a name'));
    } else if (name === 'volumes') {
      if (!isSeq(field.value)) return fail(field.key, 'docker_env: volumes must be a list of strings, e.g. ["/path1/:/path1"]');
      volumes = field.value.items.map((item) => scalarText(item, () => fail(field.key, 'docker_env: volumes must be a list of strings')));
    } else if (name === 'environment') {
      if (!isSeq(field.value)) return fail(field.key, 'docker_env: environment must be a list of names or [name, value] pairs');
      const message = 'docker_env: each environment entry must be a variable name or a [name, value] pair';
      environment = field.value.items.map((item): DockerEnvVar => {
        if (!isSeq(item)) return scalarText(item, () => fail(field.key, message));
        const [k, v] = item.items.map((x) => scalarText(x, () => fail(field.key, message)));
        if (k === undefined || v === undefined || item.items.length !== 2) return fail(field.key, message);
        return [k, v];
      });
    }
  }
  if (image === undefined || image === '') return fail(pair.key, 'docker_env names no image');
  return { type: 'docker_env', docker: { image, volumes, environment } };
}

function invalid(file: string, line: number | undefined, message: string): RunlogError {
  return RunlogError.invalidParameter(`Invalid MLproject ${file}${line !== undefined ? ` line ${line}` : ''}: ${message}.`);
}
