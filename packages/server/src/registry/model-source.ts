/**
 * The server's half of model-version `source` validation: where a syntactically clean source may point, and
 * the storage location it resolves to. `runs:/` resolves through the run's artifact root; `models:/` through
 * the referenced version's own (already validated) location — never by fetching anything; local paths and
 * object-store URIs only inside the referenced run's artifact root or this server's configured stores.
 */
import {
  classifyModelVersionSource,
  invalidSource,
  joinUriPath,
  localSourceOutsideRun,
  resolveModelReference,
  type RegistryStore,
  type TrackingStore,
} from '@runlog/core';
import { isLocationInside, type ArtifactRoots } from '../artifacts/artifact-roots.js';

export interface ResolvedSource {
  /** The validated source, as stored and returned. */
  source: string;
  /** Where the artifacts are, when that is not `source` itself. */
  storageLocation?: string;
}

export async function resolveModelVersionSource(
  source: string,
  runId: string | undefined,
  deps: { tracking: TrackingStore; registry: RegistryStore; roots: ArtifactRoots },
): Promise<ResolvedSource> {
  const classified = classifyModelVersionSource(source);
  switch (classified.kind) {
    case 'runs': {
      const run = await deps.tracking.getRun(classified.runId);
      return { source, storageLocation: joinUriPath(run.info.artifact_uri, classified.path) };
    }
    case 'models': {
      const target = await resolveModelReference(deps.registry, classified.ref);
      const location = await deps.registry.getModelVersionDownloadUri(target.name, target.version);
      return { source, storageLocation: location };
    }
    case 'proxied':
      return { source: `mlflow-artifacts:/${classified.path}` };
    case 'local':
    case 'store': {
      const location = classified.kind === 'local' ? classified.path : classified.uri;
      if (runId) {
        const run = await deps.tracking.getRun(runId);
        if (isLocationInside(location, run.info.artifact_uri)) return { source: location };
      }
      if (deps.roots.contains(location)) return { source: location };
      if (classified.kind === 'local') throw localSourceOutsideRun(source);
      throw invalidSource(source, "It must lie inside the run's artifact root or one of this server's artifact stores.");
    }
  }
}
