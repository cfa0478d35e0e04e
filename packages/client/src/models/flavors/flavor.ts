/** What every flavor provides to the generic model (pyfunc.ts): a loader from a model folder to a predictor. */
import type { MLmodel } from '../mlmodel.js';
import type { ModelInput } from '../model-input.js';

export interface Predictor {
  predict(input: ModelInput, params: Record<string, unknown>): unknown;
}

export interface FlavorLoader {
  readonly name: string;
  load(modelDir: string, config: Record<string, unknown>, model: MLmodel): Promise<Predictor>;
}

/** A model-folder-relative file named by a flavor's configuration; refuses paths leaving the folder. */
export function flavorFile(config: Record<string, unknown>, key: string, flavor: string): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw new TypeError(`The ${flavor} flavor's '${key}' must name a file in the model folder.`);
  if (value.split(/[\\/]/).includes('..') || value.startsWith('/')) {
    throw new TypeError(`The ${flavor} flavor's '${key}' must be a relative path inside the model folder, got '${value}'.`);
  }
  return value;
}
