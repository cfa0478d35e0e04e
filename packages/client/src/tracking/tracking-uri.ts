/** Which tracking URI a client uses, and whether it talks HTTP or opens the stores in-process (local mode). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Matches `runlog server`'s default store, so a server started later in the same folder shows the same runs. */
export const DEFAULT_LOCAL_TRACKING_URI = 'sqlite:///runlog-data/runlog.db';

/** `RUNLOG_TRACKING_URI`, else `MLFLOW_TRACKING_URI`, else the local default. */
export function trackingUriFromEnv(env: Env): string {
  for (const value of [env.RUNLOG_TRACKING_URI, env.MLFLOW_TRACKING_URI]) {
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return DEFAULT_LOCAL_TRACKING_URI;
}

export function isRemoteTrackingUri(uri: string): boolean {
  return /^https?:\/\//i.test(uri);
}
