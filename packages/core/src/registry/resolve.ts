/** Resolution of `models:/` references through any RegistryStore, as MLflow's client does it (§8.3). */
import { RunlogError } from '../errors.js';
import type { ModelVersion } from './entities.js';
import { parseModelUri, type ModelReference } from './model-uri.js';
import type { RegistryStore } from './store.js';

/** The version a reference names: by number, by alias, or the newest in a stage (`latest`: in any stage). */
export async function resolveModelReference(registry: RegistryStore, ref: ModelReference): Promise<ModelVersion> {
  switch (ref.kind) {
    case 'version':
      return registry.getModelVersion(ref.name, String(ref.version));
    case 'alias':
      return registry.getModelVersionByAlias(ref.name, ref.alias);
    case 'stage':
    case 'latest': {
      const versions = await registry.getLatestVersions(ref.name, ref.kind === 'stage' ? [ref.stage] : []);
      let latest: ModelVersion | undefined;
      for (const v of versions) if (latest === undefined || Number(v.version) > Number(latest.version)) latest = v;
      if (latest === undefined) {
        const stage = ref.kind === 'stage' ? ` and stage '${ref.stage}'` : '';
        throw RunlogError.notFound(`No versions of model with name '${ref.name}'${stage} found`);
      }
      return latest;
    }
  }
}

export interface ResolvedModelUri {
  version: ModelVersion;
  /** The version's download URI, with the URI's sub path (if any) appended. */
  artifactUri: string;
}

/** `<uri>/<path>` with exactly one slash between them; `uri` itself for an empty path. */
export function joinUriPath(uri: string, path: string): string {
  return path === '' ? uri : `${uri.replace(/\/+$/, '')}/${path}`;
}

/** `models:/name/3`, `models:/name@champion`, `models:/name/Production`, `models:/name/latest` (+ `/sub/path`). */
export async function resolveModelUri(registry: RegistryStore, uri: string): Promise<ResolvedModelUri> {
  const { ref, subPath } = parseModelUri(uri, true);
  const version = await resolveModelReference(registry, ref);
  const root = await registry.getModelVersionDownloadUri(version.name, version.version);
  return { version, artifactUri: joinUriPath(root, subPath) };
}
