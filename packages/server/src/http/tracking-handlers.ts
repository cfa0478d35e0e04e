/**
 * The tracking service: one short handler per endpoint (parsed request in, response body out). Empty lists
 * are omitted from responses, as MLflow's proto JSON does.
 */
import {
  LIMITS,
  RawJson,
  RunlogError,
  metricHistoryBody,
  type ParsedRequestOf,
  type ResponseOf,
  type TrackingEndpoints,
  type TrackingStore,
} from '@runlog/core';

export type TrackingHandlers = {
  [K in keyof TrackingEndpoints]: (
    req: ParsedRequestOf<TrackingEndpoints[K]>,
  ) => Promise<ResponseOf<TrackingEndpoints[K]> | RawJson>;
};

function parseModelJson(text: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch {
    throw RunlogError.invalidParameter('Malformed model info. `model_json` must be a valid JSON string.');
  }
  if (model === null || typeof model !== 'object' || Array.isArray(model)) {
    throw RunlogError.invalidParameter('Malformed model info. `model_json` must be a JSON object.');
  }
  const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !(k in model));
  if (missing.length > 0) {
    throw RunlogError.invalidParameter(`Model json is missing mandatory fields: ${missing.join(', ')}`);
  }
  return model as Record<string, unknown>;
}

export function trackingHandlers(store: TrackingStore): TrackingHandlers {
  return {
    createExperiment: async (r) => ({
      experiment_id: await store.createExperiment(r.name, r.artifact_location || undefined, r.tags),
    }),
    searchExperiments: async (r) => {
      const page = await store.searchExperiments({
        viewType: r.view_type,
        maxResults: r.max_results ?? 0,
        filter: r.filter,
        orderBy: r.order_by,
        pageToken: r.page_token,
      });
      return {
        ...(page.items.length > 0 ? { experiments: page.items } : {}),
        ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}),
      };
    },
    getExperiment: async (r) => ({ experiment: await store.getExperiment(r.experiment_id) }),
    getExperimentByName: async (r) => ({ experiment: await store.getExperimentByName(r.experiment_name) }),
    deleteExperiment: async (r) => {
      await store.deleteExperiment(r.experiment_id);
      return {};
    },
    restoreExperiment: async (r) => {
      await store.restoreExperiment(r.experiment_id);
      return {};
    },
    updateExperiment: async (r) => {
      await store.renameExperiment(r.experiment_id, r.new_name);
      return {};
    },
    setExperimentTag: async (r) => {
      await store.setExperimentTag(r.experiment_id, { key: r.key, value: r.value });
      return {};
    },
    deleteExperimentTag: async (r) => {
      await store.deleteExperimentTag(r.experiment_id, r.key);
      return {};
    },
    createRun: async (r) => ({
      run: await store.createRun({
        experimentId: r.experiment_id || '0',
        userId: r.user_id,
        runName: r.run_name,
        startTime: r.start_time,
        tags: r.tags,
      }),
    }),
    updateRun: async (r) => ({
      run_info: await store.updateRun(r.run_id, { status: r.status, endTime: r.end_time, runName: r.run_name }),
    }),
    deleteRun: async (r) => {
      await store.deleteRun(r.run_id);
      return {};
    },
    restoreRun: async (r) => {
      await store.restoreRun(r.run_id);
      return {};
    },
    logMetric: async (r) => {
      await store.logBatch(r.run_id, [{ key: r.key, value: r.value, timestamp: r.timestamp, step: r.step }], [], []);
      return {};
    },
    logParam: async (r) => {
      await store.logBatch(r.run_id, [], [{ key: r.key, value: r.value }], []);
      return {};
    },
    setTag: async (r) => {
      await store.logBatch(r.run_id, [], [], [{ key: r.key, value: r.value }]);
      return {};
    },
    deleteTag: async (r) => {
      await store.deleteTag(r.run_id, r.key);
      return {};
    },
    getRun: async (r) => ({ run: await store.getRun(r.run_id) }),
    searchRuns: async (r) => {
      const page = await store.searchRuns({
        experimentIds: r.experiment_ids,
        filter: r.filter,
        viewType: r.run_view_type,
        maxResults: r.max_results ?? LIMITS.defaultRunsSearchResults,
        orderBy: r.order_by,
        pageToken: r.page_token,
      });
      return {
        ...(page.items.length > 0 ? { runs: page.items } : {}),
        ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}),
      };
    },
    logBatch: async (r) => {
      await store.logBatch(r.run_id, r.metrics, r.params, r.tags);
      return {};
    },
    logModel: async (r) => {
      await store.recordLoggedModel(r.run_id, parseModelJson(r.model_json));
      return {};
    },
    logInputs: async (r) => {
      await store.logInputs(r.run_id, r.datasets);
      return {};
    },
    getMetricHistory: async (r) => {
      const query = { maxResults: r.max_results, pageToken: r.page_token };
      if (store.getMetricHistoryJson) return new RawJson(await store.getMetricHistoryJson(r.run_id, r.metric_key, query));
      // Histories run to millions of points: serialise without a per-value replacer.
      const page = await store.getMetricHistory(r.run_id, r.metric_key, query);
      return new RawJson(metricHistoryBody(page.items, page.next_page_token));
    },
    getMetricHistoryBulkInterval: async (r) => {
      const metrics = await store.getMetricHistoryBulkInterval({
        runIds: r.run_ids,
        metricKey: r.metric_key,
        startStep: r.start_step,
        endStep: r.end_step,
        maxResults: r.max_results ?? LIMITS.maxBulkIntervalResults,
      });
      return metrics.length > 0 ? { metrics } : {};
    },
    getMetricHistoryBulk: async (r) => {
      if (r.run_id.length === 0) {
        throw RunlogError.invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
      }
      if (r.run_id.length > LIMITS.maxBulkIntervalRunIds) {
        throw RunlogError.invalidParameter(
          `GetMetricHistoryBulk request cannot specify more than ${LIMITS.maxBulkIntervalRunIds} run_ids. Received ${r.run_id.length} run_ids.`,
        );
      }
      if (r.metric_key === undefined) {
        throw RunlogError.invalidParameter('GetMetricHistoryBulk request must specify a metric_key.');
      }
      const maxResults = Math.min(r.max_results ?? LIMITS.maxHistoryBulkResults, LIMITS.maxHistoryBulkResults);
      return { metrics: await store.getMetricHistoryBulk(r.run_id, r.metric_key, maxResults) };
    },
    // Needs the artifact roots to write its model: app.ts provides it (http/promptlab.ts).
    createPromptlabRun: () =>
      Promise.reject(new RunlogError('ENDPOINT_NOT_FOUND', 'runs/create-promptlab-run is served only with artifact roots.')),
    gatewayProxy: () => Promise.resolve({ endpoints: [] }),
    searchDatasets: async (r) => {
      const summaries = await store.searchDatasets(r.experiment_ids);
      return summaries.length > 0 ? { dataset_summaries: summaries } : {};
    },
  };
}

