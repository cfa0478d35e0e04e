/** The RegistryStore on SQLite or PostgreSQL, sharing the tracking store's connection and schema. */
import type { RegistryStore } from '@runlog/core';
import type { SqlContext } from './context.js';
import * as models from './registry/models.js';
import { searchModelVersions, searchRegisteredModels } from './registry/search.js';
import * as versions from './registry/versions.js';

export function createSqlRegistryStore(ctx: SqlContext): RegistryStore {
  return {
    createRegisteredModel: (name, tags, description) => models.createRegisteredModel(ctx, name, tags, description),
    getRegisteredModel: (name) => models.getRegisteredModel(ctx, name),
    renameRegisteredModel: (name, newName) => models.renameRegisteredModel(ctx, name, newName),
    updateRegisteredModel: (name, description) => models.updateRegisteredModel(ctx, name, description),
    deleteRegisteredModel: (name) => models.deleteRegisteredModel(ctx, name),
    searchRegisteredModels: (query) => searchRegisteredModels(ctx, query),
    getLatestVersions: (name, stages) => versions.getLatestVersions(ctx, name, stages),
    setRegisteredModelTag: (name, tag) => models.setRegisteredModelTag(ctx, name, tag),
    deleteRegisteredModelTag: (name, key) => models.deleteRegisteredModelTag(ctx, name, key),
    setRegisteredModelAlias: (name, alias, version) => models.setRegisteredModelAlias(ctx, name, alias, version),
    deleteRegisteredModelAlias: (name, alias) => models.deleteRegisteredModelAlias(ctx, name, alias),
    getModelVersionByAlias: (name, alias) => models.getModelVersionByAlias(ctx, name, alias),
    createModelVersion: (input) => versions.createModelVersion(ctx, input),
    getModelVersion: (name, version) => versions.getModelVersion(ctx, name, version),
    updateModelVersion: (name, version, description) => versions.updateModelVersion(ctx, name, version, description),
    deleteModelVersion: (name, version) => versions.deleteModelVersion(ctx, name, version),
    transitionModelVersionStage: (name, version, stage, archive) =>
      versions.transitionModelVersionStage(ctx, name, version, stage, archive),
    searchModelVersions: (query) => searchModelVersions(ctx, query),
    getModelVersionDownloadUri: (name, version) => versions.getModelVersionDownloadUri(ctx, name, version),
    setModelVersionTag: (name, version, tag) => versions.setModelVersionTag(ctx, name, version, tag),
    deleteModelVersionTag: (name, version, key) => versions.deleteModelVersionTag(ctx, name, version, key),
  };
}
