/** MLflow 2.x validation limits (mlflow/utils/validation.py). */
export const LIMITS = {
  maxEntityKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxExperimentNameLength: 500,
  maxExperimentTagKeyLength: 250,
  maxExperimentTagValueLength: 5000,
  maxArtifactLocationLength: 2048,
  maxMetricsPerBatch: 1000,
  maxParamsPerBatch: 100,
  maxTagsPerBatch: 100,
  maxEntitiesPerBatch: 1000,
  maxRunsSearchResults: 50000,
  defaultRunsSearchResults: 1000,
  maxExperimentsSearchResults: 50000,
  maxDatasetNameLength: 500,
  maxDatasetDigestLength: 36,
  maxDatasetSourceLength: 65535,
  maxDatasetSchemaLength: 1048575,
  maxDatasetProfileLength: 16777215,
  maxInputTagKeyLength: 255,
  maxInputTagValueLength: 500,
  maxBulkIntervalRunIds: 100,
  maxBulkIntervalResults: 2500,
  maxHistoryBulkResults: 25000,
} as const;

export const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;
export const EXPERIMENT_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,63}$/;
