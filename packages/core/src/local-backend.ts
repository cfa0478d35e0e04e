/**
 * The contract between `@runlog/client` in local mode and the package that owns the stores. The client loads
 * that package lazily (a dynamic import), so the dependency direction stays client → core at build time.
 */
import type { RegistryStore } from './registry/store.js';
import type { TrackingStore } from './stores.js';

export interface LocalBackend {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore;
  /** Absolute folder under which new experiments keep their artifacts (`<root>/<experiment_id>`). */
  readonly artifactRoot: string;
  close(): Promise<void>;
}

/** The shape of the module the client imports for local mode. */
export interface LocalBackendModule {
  /** `trackingUri`: `sqlite:///…`, `postgresql://…`, a folder path or a `file:` URI of a folder. */
  openLocalBackend(trackingUri: string): Promise<LocalBackend>;
}
