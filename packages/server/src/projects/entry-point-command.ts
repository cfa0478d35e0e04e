/**
 * From an entry point and the user's `-P name=value` pairs to the shell command and the parameters to log, as
 * MLflow's `EntryPoint.compute_command`: declared parameters fill the `{name}` fields (defaults for the ones not
 * given), undeclared ones are appended as `--name value`; every value is shell-quoted, and the quoted values are
 * what MLflow logs. A `path` parameter is substituted as an absolute path (logged as given) and must exist.
 * Unlike MLflow, `float` and `int` values are checked here, before any run exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunlogError, validateEntityKey } from '@runlog/core';
import { matchesType, type EntryPoint, type ParameterSpec, type Project } from './mlproject.js';
import { shellQuote } from './python-text.js';

export interface EntryPointCommand {
  readonly entryPoint: EntryPoint;
  readonly command: string;
  /** Declared parameters in MLproject order, then the extra ones in the order given. */
  readonly params: readonly { key: string; value: string }[];
}

/** Interpreters for a file named as the entry point (`-e train.py`) when the project does not declare it. */
const BY_EXTENSION: Readonly<Record<string, (env: NodeJS.ProcessEnv) => string>> = {
  '.py': () => 'python',
  '.sh': (env) => env.SHELL ?? 'bash',
  '.js': () => 'node',
  '.mjs': () => 'node',
  '.cjs': () => 'node',
};

/** The declared entry point, or one that runs a script file of the project by its extension. */
export function resolveEntryPoint(project: Project, name: string, env: NodeJS.ProcessEnv = process.env): EntryPoint {
  const declared = project.entryPoints.get(name);
  if (declared !== undefined) return declared;
  const interpreter = BY_EXTENSION[path.extname(name)];
  if (interpreter === undefined) {
    const known = [...project.entryPoints.keys()].map((n) => `'${n}'`).join(', ') || 'none';
    throw RunlogError.invalidParameter(
      `Unknown entry point '${name}': the project declares ${known}, and '${name}' is not a script file ` +
        `(${Object.keys(BY_EXTENSION).join(', ')}).`,
    );
  }
  if (!fs.existsSync(path.join(project.dir, name))) {
    throw RunlogError.invalidParameter(`Unknown entry point '${name}': no such entry point or file in ${project.dir}.`);
  }
  return { name, parameters: [], command: `${interpreter(env)} ${shellQuote(name)}` };
}

/** Parses `-P name=value` arguments (the first `=` splits; a repeated name is an error, as in MLflow; names follow MLflow's key rules). */
export function parseParamArgs(args: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw RunlogError.invalidParameter(`Invalid format for -P parameter: '${arg}'. Use -P name=value.`);
    const name = arg.slice(0, at);
    if (params.has(name)) throw RunlogError.invalidParameter(`Repeated parameter: '${name}'.`);
    validateEntityKey('param', name); // it becomes a run parameter: refuse it before the run exists
    params.set(name, arg.slice(at + 1));
  }
  return params;
}

/**
 * Checks every value and builds the command. `cwd` resolves relative `path` values (the folder `runlog run` was
 * started in, as for MLflow).
 */
export function entryPointCommand(entryPoint: EntryPoint, given: ReadonlyMap<string, string>, cwd: string): EntryPointCommand {
  const missing = entryPoint.parameters.filter((p) => !given.has(p.name) && p.default === undefined).map((p) => `'${p.name}'`);
  if (missing.length > 0) {
    throw RunlogError.invalidParameter(`No value given for missing parameters of entry point '${entryPoint.name}': ${missing.join(', ')}.`);
  }
  const substituted = new Map<string, string>();
  const params: { key: string; value: string }[] = [];
  for (const spec of entryPoint.parameters) {
    const value = given.get(spec.name) ?? spec.default ?? '';
    substituted.set(spec.name, shellQuote(checkedValue(spec, value, cwd)));
    params.push({ key: spec.name, value: shellQuote(value) });
  }
  const extras: string[] = [];
  for (const [key, value] of given) {
    if (substituted.has(key)) continue;
    extras.push(`--${key} ${shellQuote(value)}`);
    params.push({ key, value: shellQuote(value) });
  }
  const command = [formatCommand(entryPoint.command, substituted), ...extras].join(' ');
  return { entryPoint, command, params };
}

/** The value as it goes into the command: checked against the type; a local path made absolute. */
function checkedValue(spec: ParameterSpec, value: string, cwd: string): string {
  if (!matchesType(spec.type, value)) {
    throw RunlogError.invalidParameter(`Parameter '${spec.name}' (MLproject line ${spec.line}) is of type ${spec.type}, but got '${value}'.`);
  }
  if (spec.type === 'uri' && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) {
    throw RunlogError.invalidParameter(`Expected a URI for parameter '${spec.name}' (scheme:…), but got '${value}'.`);
  }
  if (spec.type !== 'path') return value;
  const local = localPath(value);
  if (local === undefined) {
    throw RunlogError.invalidParameter(`Parameter '${spec.name}' is a path, but '${value}' is a remote URI: Runlog accepts local paths only.`);
  }
  const absolute = path.resolve(cwd, local);
  if (!fs.existsSync(absolute)) {
    throw RunlogError.invalidParameter(`Got value '${value}' for parameter '${spec.name}', but no such file or directory was found.`);
  }
  return absolute;
}

function localPath(value: string): string | undefined {
  if (/^file:\/\/\//i.test(value)) return fileURLToPath(value);
  if (/^file:[^/]/i.test(value)) return value.slice('file:'.length);
  // A scheme of one letter is a Windows drive, not a URI; otherwise a scheme means remote.
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(value) ? undefined : value;
}

/** Python's `str.format(**params)` for plain `{name}` fields (the MLproject loader refused anything else). */
function formatCommand(template: string, values: ReadonlyMap<string, string>): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (token, name: string | undefined) => {
    if (token === '{{') return '{';
    if (token === '}}') return '}';
    return values.get(name ?? '') ?? token;
  });
}
