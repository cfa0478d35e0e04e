/**
 * The `js_function` flavor: any object with `predict`, saved as a module plus its state. The module (copied
 * into the model folder under `code/`) exports a loader, `loadModel(state, context)` by default, returning an
 * object with `predict(input, params)`; the state is JSON (`state.json`). Modules are imported from the model
 * folder, so keep them self-contained (or only import packages resolvable from there). The same contract, with
 * `transform(input)`, serves preprocessors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunlogError } from '@runlog/core';
import type { ModelInput } from '../model-input.js';
import { flavorFile, type FlavorLoader, type Predictor } from './flavor.js';

export const JS_FUNCTION = 'js_function';

export interface ModuleWithState {
  /** Path of an ES module file exporting the loader. */
  module: string;
  /** JSON-serialisable state handed to the loader. */
  state: unknown;
  /** Export name of the loader (default `loadModel`; `loadPreprocessor` for preprocessors). */
  loader?: string;
}

export interface LoaderContext {
  /** The folder the model was loaded from. */
  modelDir: string;
}

/** Copies the module and writes the state into `dir/<prefix>`; returns the flavor-style config. */
export function saveModuleWithState(dir: string, spec: ModuleWithState, prefix: string, defaultLoader: string): Record<string, unknown> {
  if (!fs.statSync(spec.module, { throwIfNoEntry: false })?.isFile()) {
    throw RunlogError.invalidParameter(`The model module '${spec.module}' is not a file.`);
  }
  const moduleRel = path.posix.join(prefix, 'code', path.basename(spec.module));
  const stateRel = path.posix.join(prefix, 'state.json');
  fs.mkdirSync(path.join(dir, prefix, 'code'), { recursive: true });
  fs.copyFileSync(spec.module, path.join(dir, moduleRel));
  fs.writeFileSync(path.join(dir, stateRel), JSON.stringify(spec.state ?? null));
  return { loader: spec.loader ?? defaultLoader, module: moduleRel, state: stateRel };
}

/** Imports the module from the model folder and calls its loader with the state. */
export async function loadModuleWithState(dir: string, config: Record<string, unknown>, what: string, defaultLoader: string): Promise<unknown> {
  const moduleFile = path.join(dir, flavorFile(config, 'module', what));
  const stateFile = path.join(dir, flavorFile(config, 'state', what));
  const loaderName = typeof config.loader === 'string' ? config.loader : defaultLoader;
  const mod = (await import(pathToFileURL(moduleFile).href)) as Record<string, unknown>;
  const loader = mod[loaderName];
  if (typeof loader !== 'function') {
    throw RunlogError.invalidParameter(`The ${what} module ${path.basename(moduleFile)} does not export a function '${loaderName}'.`);
  }
  const state: unknown = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const context: LoaderContext = { modelDir: dir };
  return (await (loader as (s: unknown, c: LoaderContext) => unknown)(state, context));
}

function hasMethod(value: unknown, method: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}

export const jsFunctionFlavor: FlavorLoader = {
  name: JS_FUNCTION,
  load: async (dir, config) => {
    const model = await loadModuleWithState(dir, config, JS_FUNCTION, 'loadModel');
    if (!hasMethod(model, 'predict')) throw RunlogError.invalidParameter('The js_function loader must return an object with a predict method.');
    return model as Predictor;
  },
};

export interface Preprocessor {
  transform(input: ModelInput): unknown;
}

export async function loadPreprocessor(dir: string, config: Record<string, unknown>): Promise<Preprocessor> {
  const pre = await loadModuleWithState(dir, config, 'preprocessor', 'loadPreprocessor');
  if (!hasMethod(pre, 'transform')) throw RunlogError.invalidParameter('The preprocessor loader must return an object with a transform method.');
  return pre as Preprocessor;
}
