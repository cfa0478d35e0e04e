import type { StoreLayout } from './layout.js';
import type { RunIndex } from './run-index.js';

/** What every file-store module works on: the folder, the root for new experiments' artifacts, the run index. */
export interface FileContext {
  readonly layout: StoreLayout;
  readonly defaultArtifactRoot: string;
  readonly runs: RunIndex;
  /** Whether run writes are fsynced before they are acknowledged (see DurableWrites). */
  readonly sync: boolean;
}
