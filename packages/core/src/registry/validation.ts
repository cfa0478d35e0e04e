/** MLflow's registry input rules (mlflow/utils/validation.py, model_version_stages.py), with MLflow's wording. */
import { RunlogError } from '../errors.js';
import { decodeUntilStable } from '../safe-path.js';
import { validateEntityKey, validateLength } from '../validation.js';
import { MODEL_VERSION_STAGES, type ModelVersionStage } from './entities.js';

export const REGISTRY_LIMITS = {
  maxModelNameLength: 256,
  maxDescriptionLength: 5000,
  maxSourceLength: 500,
  maxRunLinkLength: 500,
  maxTagValueLength: 5000,
  maxAliasLength: 255,
  maxRegisteredModelsSearchResults: 1000,
  defaultRegisteredModelsSearchResults: 100,
  maxModelVersionsSearchResults: 200_000,
  defaultModelVersionsSearchResults: 200_000,
} as const;

export function validateModelName(name: string): void {
  if (name.trim() === '') throw RunlogError.invalidParameter("Missing value for required parameter 'name'.");
  validateLength('Registered model name', name, REGISTRY_LIMITS.maxModelNameLength);
  if (registeredModelNameKey(name) === undefined) {
    throw RunlogError.invalidParameter(`Invalid registered model name '${name}': malformed percent-encoding.`);
  }
}

/**
 * The form two names are compared in for uniqueness: fully percent-decoded and NFC-normalised, so
 * `my%2Dmodel` and `my-model` are one model (CVE-2024-3099). Undefined for undecodable names.
 */
export function registeredModelNameKey(name: string): string | undefined {
  return decodeUntilStable(name)?.normalize('NFC');
}

/** A version number as the wire carries it: decimal text. */
export function parseModelVersion(version: string): number {
  if (!/^\d{1,15}$/.test(version.trim())) {
    throw RunlogError.invalidParameter(`Model version must be an integer, got '${version}'`);
  }
  return Number(version.trim());
}

/** Canonical spelling of a stage given in any case; anything else is 400. */
export function parseStage(stage: string): ModelVersionStage {
  const found = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (found === undefined) {
    throw RunlogError.invalidParameter(
      `Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`,
    );
  }
  return found;
}

export function validateAlias(alias: string): void {
  if (alias === '' || !/^[\w-]*$/.test(alias)) {
    throw RunlogError.invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > REGISTRY_LIMITS.maxAliasLength) {
    throw RunlogError.invalidParameter(
      `Registered model alias name '${alias.slice(0, 50)}...' had length ${alias.length}, which exceeded length limit of ${REGISTRY_LIMITS.maxAliasLength}`,
    );
  }
  if (alias.toLowerCase() === 'latest') {
    throw RunlogError.invalidParameter("'latest' alias name (case insensitive) is reserved.");
  }
  if (/^[vV]\d+$/.test(alias)) throw RunlogError.invalidParameter(`Version alias name '${alias}' is reserved.`);
}

export function validateRegistryTag(key: string, value: string): void {
  validateEntityKey('tag', key);
  validateLength('Tag value', value, REGISTRY_LIMITS.maxTagValueLength);
}

export function validateDescription(description: string): void {
  validateLength('Description', description, REGISTRY_LIMITS.maxDescriptionLength);
}
