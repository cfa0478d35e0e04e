/** The RegistryStore over `<store>/models/` (MLflow's registry file store layout), beside the tracking data. */
import fs from 'node:fs';
import type { RegistryStore } from '@runlog/core';
import type { FileContext } from './context.js';
import * as ops from './registry-ops.js';

export function createFileRegistryStore(ctx: FileContext): RegistryStore {
  fs.mkdirSync(ctx.layout.models, { recursive: true });
  const run = <T>(fn: () => T | Promise<T>): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    createRegisteredModel: (name, tags, description) => ops.createRegisteredModel(ctx, name, tags, description),
    getRegisteredModel: (name) => run(() => ops.getRegisteredModel(ctx, name)),
    renameRegisteredModel: (name, newName) => ops.renameRegisteredModel(ctx, name, newName),
    updateRegisteredModel: (name, description) => run(() => ops.updateRegisteredModel(ctx, name, description)),
    deleteRegisteredModel: (name) => run(() => ops.deleteRegisteredModel(ctx, name)),
    searchRegisteredModels: (query) => run(() => ops.searchRegisteredModels(ctx, query)),
    getLatestVersions: (name, stages) => run(() => ops.getLatestVersions(ctx, name, stages)),
    setRegisteredModelTag: (name, tag) => run(() => ops.setRegisteredModelTag(ctx, name, tag)),
    deleteRegisteredModelTag: (name, key) => run(() => ops.deleteRegisteredModelTag(ctx, name, key)),
    setRegisteredModelAlias: (name, alias, version) => run(() => ops.setRegisteredModelAlias(ctx, name, alias, version)),
    deleteRegisteredModelAlias: (name, alias) => run(() => ops.deleteRegisteredModelAlias(ctx, name, alias)),
    getModelVersionByAlias: (name, alias) => run(() => ops.getModelVersionByAlias(ctx, name, alias)),
    createModelVersion: (input) => run(() => ops.createModelVersion(ctx, input)),
    getModelVersion: (name, version) => run(() => ops.getModelVersion(ctx, name, version)),
    updateModelVersion: (name, version, description) => run(() => ops.updateModelVersion(ctx, name, version, description)),
    deleteModelVersion: (name, version) => run(() => ops.deleteModelVersion(ctx, name, version)),
    transitionModelVersionStage: (name, version, stage, archive) =>
      run(() => ops.transitionModelVersionStage(ctx, name, version, stage, archive)),
    searchModelVersions: (query) => run(() => ops.searchModelVersions(ctx, query)),
    getModelVersionDownloadUri: (name, version) => run(() => ops.getModelVersionDownloadUri(ctx, name, version)),
    setModelVersionTag: (name, version, tag) => run(() => ops.setModelVersionTag(ctx, name, version, tag)),
    deleteModelVersionTag: (name, version, key) => run(() => ops.deleteModelVersionTag(ctx, name, version, key)),
  };
}
