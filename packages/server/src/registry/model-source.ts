/**
 * The server's half of model-version `source` validation: where a syntactically clean source may point, and
 * the storage location it resolves to. `runs:/` resolves through the run's artifact root; `models:/` through
 * the referenced version's own (already validated) location — never by fetching anything; local paths and
 * object-store URIs only inside the referenced run's artifact root or this server's configured stores.
 */
import {
  RunlogError,
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
      // MLflow stores a runs:/ source without looking the run up; when the run exists its artifacts are located now.
      const run = await deps.tracking.getRun(classified.runId).catch((e: unknown) => {
        if (e instanceof RunlogError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
        throw e;
      });
      return run ? { source, storageLocation: joinUriPath(run.info.artifact_uri, classified.path) } : { source };
    }
    case 'models': {
      const target = await resolveModelReference(deps.registry, classified.ref);
      const location = await deps.registry.getModelVersionDownloadUri(target.name, target.version);
      return { source, storageLocation: location };
    }
    case 'proxied':
      return { source: `mlflow-artifacts:/${classified.path}` };
    case 'local': {
      // As MLflow: a local source needs run_id and must resolve inside that run's artifact directory.
      if (runId) {
        const run = await deps.tracking.getRun(runId);
        if (isLocationInside(classified.path, run.info.artifact_uri)) {
          return classified.path === source ? { source } : { source, storageLocation: classified.path };
        }
      }
      throw localSourceOutsideRun(source);
    }
    case 'store': {
      if (runId) {
        const run = await deps.tracking.getRun(runId);
        if (isLocationInside(classified.uri, run.info.artifact_uri)) return { source: classified.uri };
      }
      if (deps.roots.contains(classified.uri)) return { source: classified.uri };
      throw invalidSource(source, "It must lie inside the run's artifact root or one of this server's artifact stores.");
    }
  }
}
