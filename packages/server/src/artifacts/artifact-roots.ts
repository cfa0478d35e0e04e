/**
 * Which repository holds a run's artifacts, and under which prefix, given the server's configuration:
 * - proxied roots (`mlflow-artifacts:/<p>`, `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<p>`) → `<p>` in
 *   the artifacts destination, when the server serves artifacts (MLflow's
 *   `_get_proxied_run_artifact_destination_path`; the http(s) host is not looked at and never contacted);
 * - a local path, `file://` or `s3://` root → the repo of the configured root it lies under (the artifacts
 *   destination or the default artifact root), the rest as the prefix. A root outside both is refused: the
 *   server does not read or write storage an experiment's creator merely named.
 * Repos are opened on first use and cached per configured root.
 */
import { RunlogError, joinArtifactPath, safeArtifactPath, type ArtifactRepo } from '@runlog/core';
import type { ServerConfig } from '../config.js';
import { localPathOf, uriScheme } from './open-artifact-repo.js';

export interface ArtifactLocation {
  repo: ArtifactRepo;
  /** Clean relative path of the run's root inside `repo` (`''` for the repo's root). */
  prefix: string;
}

export interface ArtifactRoots {
  readonly serveArtifacts: boolean;
  /** The artifacts destination (proxied artifacts). Callers check `serveArtifacts` first. */
  destination(): Promise<ArtifactRepo>;
  /** The repo and prefix of a run's artifact root (`run.info.artifact_uri`); 400 when it is not served here. */
  forRunRoot(artifactUri: string): Promise<ArtifactLocation>;
  /** Absolute local folders the server keeps artifacts in: where local experiment locations may point. */
  readonly localRoots: readonly string[];
  /** Whether a local path, `file:` or `s3:` URI lies inside one of the configured roots (no I/O). */
  contains(uri: string): boolean;
}

const PROXY_MARKER = '/api/2.0/mlflow-artifacts/artifacts';

/** A comparable key for a local, file: or s3: root: an absolute path or `s3://bucket/prefix`, no trailing `/`. */
function rootKey(uri: string): string | undefined {
  const local = localPathOf(uri);
  if (local !== undefined) return local === '/' ? '' : local.replace(/\/+$/, '');
  if (uriScheme(uri) === 's3') return uri.replace(/\/+$/, '');
  return undefined;
}

/** Whether a local path, `file:` or `s3:` URI lies at or below another (no I/O; other schemes never do). */
export function isLocationInside(candidate: string, root: string): boolean {
  const c = rootKey(candidate);
  const r = rootKey(root);
  return c !== undefined && r !== undefined && (c === r || c.startsWith(`${r}/`));
}

function notServed(uri: string, why: string): RunlogError {
  return RunlogError.invalidParameter(`Artifact root '${uri}' is not served by this server: ${why}`);
}

export function createArtifactRoots(
  config: Pick<ServerConfig, 'serveArtifacts' | 'artifactsDestination' | 'defaultArtifactRoot'>,
  open: (uri: string) => Promise<ArtifactRepo>,
  openedDestination?: ArtifactRepo,
): ArtifactRoots {
  const cache = new Map<string, Promise<ArtifactRepo>>();
  function cachedOpen(uri: string): Promise<ArtifactRepo> {
    let repo = cache.get(uri);
    if (repo === undefined) {
      repo = open(uri);
      cache.set(uri, repo);
      repo.catch(() => cache.delete(uri)); // a failed open is retried next time
    }
    return repo;
  }

  const destination = (): Promise<ArtifactRepo> =>
    openedDestination ? Promise.resolve(openedDestination) : cachedOpen(config.artifactsDestination);

  const managed: { key: string; repo: () => Promise<ArtifactRepo> }[] = [];
  const destinationKey = config.serveArtifacts ? rootKey(config.artifactsDestination) : undefined;
  if (destinationKey !== undefined) managed.push({ key: destinationKey, repo: destination });
  const defaultKey = rootKey(config.defaultArtifactRoot);
  if (defaultKey !== undefined && defaultKey !== destinationKey) {
    managed.push({ key: defaultKey, repo: () => cachedOpen(config.defaultArtifactRoot) });
  }
  const localRoots = managed.filter((m) => !m.key.startsWith('s3://')).map((m) => m.key || '/');

  async function forRunRoot(uri: string): Promise<ArtifactLocation> {
    const scheme = uriScheme(uri);
    if (scheme === 'mlflow-artifacts' || scheme === 'http' || scheme === 'https') {
      if (!config.serveArtifacts) {
        throw notServed(uri, 'it is a proxied root and this server runs with --no-serve-artifacts');
      }
      let rest: string;
      if (scheme === 'mlflow-artifacts') {
        rest = uri.slice('mlflow-artifacts:'.length);
        if (rest.startsWith('//')) {
          const slash = rest.indexOf('/', 2); // mlflow-artifacts://host:port/<p>: the authority is not ours to check
          rest = slash < 0 ? '' : rest.slice(slash);
        }
      } else {
        const at = uri.indexOf(PROXY_MARKER);
        if (at < 0) throw notServed(uri, 'Runlog never fetches artifacts from http(s) URLs');
        rest = uri.slice(at + PROXY_MARKER.length);
      }
      return { repo: await destination(), prefix: safeArtifactPath(rest.replace(/^\/+/, '')) };
    }
    const key = rootKey(uri);
    if (key !== undefined) {
      for (const m of managed) {
        if (key === m.key || key.startsWith(`${m.key}/`)) {
          return { repo: await m.repo(), prefix: joinArtifactPath(key.slice(m.key.length).replace(/^\/+/, '')) };
        }
      }
    }
    throw notServed(uri, "it is outside the server's artifact roots");
  }

  function contains(uri: string): boolean {
    const key = rootKey(uri);
    return key !== undefined && managed.some((m) => key === m.key || key.startsWith(`${m.key}/`));
  }

  return { serveArtifacts: config.serveArtifacts, destination, forRunRoot, localRoots, contains };
}
