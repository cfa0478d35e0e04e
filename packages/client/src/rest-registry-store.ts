/** RegistryStore over MLflow's registry REST API, plus async iterators that walk every page of a search. */
import {
  registry as api,
  type ModelVersion,
  type Page,
  type RegisteredModel,
  type RegistryStore,
  type SearchRegistryQuery,
} from '@runlog/core';
import { callEndpoint, type Transport } from './http.js';

function searchRequest(q: SearchRegistryQuery) {
  return {
    max_results: q.maxResults,
    ...(q.filter !== undefined ? { filter: q.filter } : {}),
    order_by: q.orderBy ? [...q.orderBy] : [],
    ...(q.pageToken !== undefined ? { page_token: q.pageToken } : {}),
  };
}

function toPage<T>(items: T[] | undefined, token: string | undefined): Page<T> {
  return token ? { items: items ?? [], next_page_token: token } : { items: items ?? [] };
}

export function createRestRegistryStore(transport: Transport): RegistryStore {
  const call = <E extends (typeof api)[keyof typeof api]>(endpoint: E, req: Parameters<typeof callEndpoint<E>>[2]) =>
    callEndpoint(transport, endpoint, req);
  return {
    createRegisteredModel: async (name, tags, description) =>
      (
        await call(api.createRegisteredModel, {
          name,
          tags: tags ? [...tags] : [],
          ...(description !== undefined ? { description } : {}),
        })
      ).registered_model,
    getRegisteredModel: async (name) => (await call(api.getRegisteredModel, { name })).registered_model,
    renameRegisteredModel: async (name, newName) => (await call(api.renameRegisteredModel, { name, new_name: newName })).registered_model,
    updateRegisteredModel: async (name, description) =>
      (await call(api.updateRegisteredModel, { name, ...(description !== undefined ? { description } : {}) })).registered_model,
    deleteRegisteredModel: async (name) => {
      await call(api.deleteRegisteredModel, { name });
    },
    searchRegisteredModels: async (q) => {
      const res = await call(api.searchRegisteredModels, searchRequest(q));
      return toPage(res.registered_models, res.next_page_token);
    },
    getLatestVersions: async (name, stages) =>
      (await call(api.getLatestVersions, { name, stages: stages ? [...stages] : [] })).model_versions ?? [],
    setRegisteredModelTag: async (name, tag) => {
      await call(api.setRegisteredModelTag, { name, key: tag.key, value: tag.value });
    },
    deleteRegisteredModelTag: async (name, key) => {
      await call(api.deleteRegisteredModelTag, { name, key });
    },
    setRegisteredModelAlias: async (name, alias, version) => {
      await call(api.setRegisteredModelAlias, { name, alias, version });
    },
    deleteRegisteredModelAlias: async (name, alias) => {
      await call(api.deleteRegisteredModelAlias, { name, alias });
    },
    getModelVersionByAlias: async (name, alias) => (await call(api.getModelVersionByAlias, { name, alias })).model_version,
    createModelVersion: async (input) =>
      (
        await call(api.createModelVersion, {
          name: input.name,
          source: input.source,
          ...(input.runId !== undefined ? { run_id: input.runId } : {}),
          ...(input.runLink !== undefined ? { run_link: input.runLink } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          tags: input.tags ? [...input.tags] : [],
        })
      ).model_version,
    getModelVersion: async (name, version) => (await call(api.getModelVersion, { name, version })).model_version,
    updateModelVersion: async (name, version, description) =>
      (await call(api.updateModelVersion, { name, version, ...(description !== undefined ? { description } : {}) })).model_version,
    deleteModelVersion: async (name, version) => {
      await call(api.deleteModelVersion, { name, version });
    },
    transitionModelVersionStage: async (name, version, stage, archive) =>
      (await call(api.transitionModelVersionStage, { name, version, stage, archive_existing_versions: archive })).model_version,
    searchModelVersions: async (q) => {
      const res = await call(api.searchModelVersions, searchRequest(q));
      return toPage(res.model_versions, res.next_page_token);
    },
    getModelVersionDownloadUri: async (name, version) => (await call(api.getModelVersionDownloadUri, { name, version })).artifact_uri,
    setModelVersionTag: async (name, version, tag) => {
      await call(api.setModelVersionTag, { name, version, key: tag.key, value: tag.value });
    },
    deleteModelVersionTag: async (name, version, key) => {
      await call(api.deleteModelVersionTag, { name, version, key });
    },
  };
}

type PagedSearch<T> = (query: SearchRegistryQuery) => Promise<Page<T>>;

async function* allPages<T>(search: PagedSearch<T>, query: Omit<SearchRegistryQuery, 'pageToken'>): AsyncGenerator<T> {
  let pageToken: string | undefined;
  do {
    const page = await search({ ...query, pageToken });
    yield* page.items;
    pageToken = page.next_page_token;
  } while (pageToken);
}

/** Every registered model matching `query`, page by page (100 per request unless `maxResults` says otherwise). */
export function iterateRegisteredModels(
  store: RegistryStore,
  query: Partial<Omit<SearchRegistryQuery, 'pageToken'>> = {},
): AsyncGenerator<RegisteredModel> {
  return allPages((q) => store.searchRegisteredModels(q), { maxResults: 100, ...query });
}

/** Every model version matching `query`, page by page (10,000 per request, as MLflow's client asks). */
export function iterateModelVersions(
  store: RegistryStore,
  query: Partial<Omit<SearchRegistryQuery, 'pageToken'>> = {},
): AsyncGenerator<ModelVersion> {
  return allPages((q) => store.searchModelVersions(q), { maxResults: 10_000, ...query });
}
