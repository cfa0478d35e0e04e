/** The MLflow version Runlog speaks for; clients read `/version`. */
export const MLFLOW_COMPAT_VERSION = '2.22.0';
export const RUNLOG_VERSION = '0.1.0';
