/** TrackingStore over MLflow's REST API: "local" and "remote" are one interface. */
import { tracking as api, type Experiment, type Metric, type TrackingStore } from '@runlog/core';
import { callEndpoint, type Transport } from './http.js';

export function createRestTrackingStore(transport: Transport): TrackingStore {
  const call = <E extends (typeof api)[keyof typeof api]>(endpoint: E, req: Parameters<typeof callEndpoint<E>>[2]) =>
    callEndpoint(transport, endpoint, req);
  return {
    createExperiment: async (name, artifactLocation, tags) =>
      (await call(api.createExperiment, { name, ...(artifactLocation ? { artifact_location: artifactLocation } : {}), tags: tags ? [...tags] : [] }))
        .experiment_id,
    getExperiment: async (id) => (await call(api.getExperiment, { experiment_id: id })).experiment,
    getExperimentByName: async (name) => (await call(api.getExperimentByName, { experiment_name: name })).experiment,
    searchExperiments: async (q) => {
      const res = await call(api.searchExperiments, {
        max_results: q.maxResults,
        view_type: q.viewType,
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        order_by: q.orderBy ? [...q.orderBy] : [],
        ...(q.pageToken !== undefined ? { page_token: q.pageToken } : {}),
      });
      const items: Experiment[] = res.experiments ?? [];
      return res.next_page_token ? { items, next_page_token: res.next_page_token } : { items };
    },
    deleteExperiment: async (id) => {
      await call(api.deleteExperiment, { experiment_id: id });
    },
    restoreExperiment: async (id) => {
      await call(api.restoreExperiment, { experiment_id: id });
    },
    renameExperiment: async (id, newName) => {
      await call(api.updateExperiment, { experiment_id: id, new_name: newName });
    },
    setExperimentTag: async (id, tag) => {
      await call(api.setExperimentTag, { experiment_id: id, key: tag.key, value: tag.value });
    },
    deleteExperimentTag: async (id, key) => {
      await call(api.deleteExperimentTag, { experiment_id: id, key });
    },
    createRun: async (input) =>
      (
        await call(api.createRun, {
          experiment_id: input.experimentId,
          ...(input.userId !== undefined ? { user_id: input.userId } : {}),
          ...(input.runName !== undefined ? { run_name: input.runName } : {}),
          ...(input.startTime !== undefined ? { start_time: input.startTime } : {}),
          tags: input.tags ? [...input.tags] : [],
        })
      ).run,
    getRun: async (id) => (await call(api.getRun, { run_id: id })).run,
    updateRun: async (id, input) =>
      (
        await call(api.updateRun, {
          run_id: id,
          ...(input.status !== undefined ? { status: input.status } : {}),
          ...(input.endTime !== undefined ? { end_time: input.endTime } : {}),
          ...(input.runName !== undefined ? { run_name: input.runName } : {}),
        })
      ).run_info,
    deleteRun: async (id) => {
      await call(api.deleteRun, { run_id: id });
    },
    restoreRun: async (id) => {
      await call(api.restoreRun, { run_id: id });
    },
    logBatch: async (id, metrics, params, tags) => {
      await call(api.logBatch, { run_id: id, metrics: [...metrics], params: [...params], tags: [...tags] });
    },
    deleteTag: async (id, key) => {
      await call(api.deleteTag, { run_id: id, key });
    },
    logInputs: async (id, datasets) => {
      await call(api.logInputs, { run_id: id, datasets: [...datasets] });
    },
    recordLoggedModel: async (id, model) => {
      await call(api.logModel, { run_id: id, model_json: JSON.stringify(model) });
    },
    searchRuns: async (q) => {
      const res = await call(api.searchRuns, {
        experiment_ids: [...q.experimentIds],
        run_view_type: q.viewType,
        max_results: q.maxResults,
        ...(q.filter !== undefined ? { filter: q.filter } : {}),
        order_by: q.orderBy ? [...q.orderBy] : [],
        ...(q.pageToken !== undefined ? { page_token: q.pageToken } : {}),
      });
      const items = res.runs ?? [];
      return res.next_page_token ? { items, next_page_token: res.next_page_token } : { items };
    },
    getMetricHistory: async (id, key, q = {}) => {
      const res = await call(api.getMetricHistory, {
        run_id: id,
        metric_key: key,
        ...(q.maxResults !== undefined ? { max_results: q.maxResults } : {}),
        ...(q.pageToken !== undefined ? { page_token: q.pageToken } : {}),
      });
      const items: Metric[] = res.metrics ?? [];
      return res.next_page_token ? { items, next_page_token: res.next_page_token } : { items };
    },
    getMetricHistoryBulkInterval: async (q) =>
      (
        await call(api.getMetricHistoryBulkInterval, {
          run_ids: [...q.runIds],
          metric_key: q.metricKey,
          max_results: q.maxResults,
          ...(q.startStep !== undefined ? { start_step: q.startStep } : {}),
          ...(q.endStep !== undefined ? { end_step: q.endStep } : {}),
        })
      ).metrics ?? [],
    getMetricHistoryBulk: async (ids, key, max) =>
      (await call(api.getMetricHistoryBulk, { run_id: [...ids], metric_key: key, max_results: max })).metrics,
    searchDatasets: async (ids) => (await call(api.searchDatasets, { experiment_ids: [...ids] })).dataset_summaries ?? [],
    close: async () => {},
  };
}
