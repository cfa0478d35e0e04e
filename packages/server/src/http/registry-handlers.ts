/** The model registry service: one short handler per endpoint. Empty lists are omitted, as MLflow's proto JSON does. */
import {
  REGISTRY_LIMITS,
  type ParsedRequestOf,
  type RegistryEndpoints,
  type RegistryStore,
  type ResponseOf,
  type TrackingStore,
} from '@runlog/core';
import type { ArtifactRoots } from '../artifacts/artifact-roots.js';
import { resolveModelVersionSource } from '../registry/model-source.js';

export type RegistryHandlers = {
  [K in keyof RegistryEndpoints]: (req: ParsedRequestOf<RegistryEndpoints[K]>) => Promise<ResponseOf<RegistryEndpoints[K]>>;
};

function tokenOf(token: string | undefined): { next_page_token?: string } {
  return token ? { next_page_token: token } : {};
}

export function registryHandlers(deps: { registry: RegistryStore; tracking: TrackingStore; roots: ArtifactRoots }): RegistryHandlers {
  const { registry } = deps;
  return {
    createRegisteredModel: async (r) => ({
      registered_model: await registry.createRegisteredModel(r.name, r.tags, r.description),
    }),
    renameRegisteredModel: async (r) => ({ registered_model: await registry.renameRegisteredModel(r.name, r.new_name) }),
    updateRegisteredModel: async (r) => ({ registered_model: await registry.updateRegisteredModel(r.name, r.description) }),
    deleteRegisteredModel: async (r) => {
      await registry.deleteRegisteredModel(r.name);
      return {};
    },
    getRegisteredModel: async (r) => ({ registered_model: await registry.getRegisteredModel(r.name) }),
    searchRegisteredModels: async (r) => {
      const result = await registry.searchRegisteredModels({
        filter: r.filter,
        maxResults: r.max_results ?? REGISTRY_LIMITS.defaultRegisteredModelsSearchResults,
        orderBy: r.order_by,
        pageToken: r.page_token,
      });
      return { ...(result.items.length > 0 ? { registered_models: result.items } : {}), ...tokenOf(result.next_page_token) };
    },
    getLatestVersions: async (r) => {
      const versions = await registry.getLatestVersions(r.name, r.stages);
      return versions.length > 0 ? { model_versions: versions } : {};
    },
    setRegisteredModelTag: async (r) => {
      await registry.setRegisteredModelTag(r.name, { key: r.key, value: r.value });
      return {};
    },
    deleteRegisteredModelTag: async (r) => {
      await registry.deleteRegisteredModelTag(r.name, r.key);
      return {};
    },
    setRegisteredModelAlias: async (r) => {
      await registry.setRegisteredModelAlias(r.name, r.alias, r.version);
      return {};
    },
    deleteRegisteredModelAlias: async (r) => {
      await registry.deleteRegisteredModelAlias(r.name, r.alias);
      return {};
    },
    getModelVersionByAlias: async (r) => ({ model_version: await registry.getModelVersionByAlias(r.name, r.alias) }),
    createModelVersion: async (r) => {
      // The source is checked first, as MLflow's handler does; the store then answers 404 for a missing model.
      const resolved = await resolveModelVersionSource(r.source, r.run_id, deps);
      return {
        model_version: await registry.createModelVersion({
          name: r.name,
          source: resolved.source,
          storageLocation: resolved.storageLocation,
          runId: r.run_id,
          runLink: r.run_link,
          description: r.description,
          tags: r.tags,
        }),
      };
    },
    updateModelVersion: async (r) => ({ model_version: await registry.updateModelVersion(r.name, r.version, r.description) }),
    transitionModelVersionStage: async (r) => ({
      model_version: await registry.transitionModelVersionStage(r.name, r.version, r.stage, r.archive_existing_versions),
    }),
    deleteModelVersion: async (r) => {
      await registry.deleteModelVersion(r.name, r.version);
      return {};
    },
    getModelVersion: async (r) => ({ model_version: await registry.getModelVersion(r.name, r.version) }),
    searchModelVersions: async (r) => {
      const result = await registry.searchModelVersions({
        filter: r.filter,
        maxResults: r.max_results ?? REGISTRY_LIMITS.defaultModelVersionsSearchResults,
        orderBy: r.order_by,
        pageToken: r.page_token,
      });
      return { ...(result.items.length > 0 ? { model_versions: result.items } : {}), ...tokenOf(result.next_page_token) };
    },
    getModelVersionDownloadUri: async (r) => ({
      artifact_uri: await registry.getModelVersionDownloadUri(r.name, r.version),
    }),
    setModelVersionTag: async (r) => {
      await registry.setModelVersionTag(r.name, r.version, { key: r.key, value: r.value });
      return {};
    },
    deleteModelVersionTag: async (r) => {
      await registry.deleteModelVersionTag(r.name, r.version, r.key);
      return {};
    },
  };
}
