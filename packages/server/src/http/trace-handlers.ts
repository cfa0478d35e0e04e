/**
 * MLflow Tracing's routes: one short handler per trace endpoint, and `get-trace-artifact`, which sends the
 * trace's `traces.json` from wherever its `mlflow.artifactLocation` tag points (confined to this server's
 * artifact roots, as run artifacts are).
 */
import type { FastifyInstance } from 'fastify';
import {
  RunlogError,
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_ARTIFACT_PATH,
  TRACE_DATA_FILE_NAME,
  TRACE_LIMITS,
  joinArtifactPath,
  traceValue,
  type ParsedRequestOf,
  type ResponseOf,
  type TraceEndpoints,
  type TraceStore,
} from '@runlog/core';
import type { ArtifactRoots } from '../artifacts/artifact-roots.js';
import { contentDisposition } from './artifact-routes.js';
import { AJAX_PREFIX } from './register-endpoints.js';

export type TraceHandlers = {
  [K in keyof TraceEndpoints]: (req: ParsedRequestOf<TraceEndpoints[K]>) => Promise<ResponseOf<TraceEndpoints[K]>>;
};

export function traceHandlers(store: TraceStore): TraceHandlers {
  return {
    startTrace: async (r) => ({
      trace_info: await store.startTrace({
        experimentId: r.experiment_id,
        timestampMs: r.timestamp_ms ?? 0,
        requestMetadata: r.request_metadata,
        tags: r.tags,
      }),
    }),
    endTrace: async (r) => ({
      trace_info: await store.endTrace(r.request_id, {
        timestampMs: r.timestamp_ms ?? 0,
        status: r.status,
        requestMetadata: r.request_metadata,
        tags: r.tags,
      }),
    }),
    getTraceInfo: async (r) => ({ trace_info: await store.getTraceInfo(r.request_id) }),
    searchTraces: async (r) => {
      const page = await store.searchTraces({
        experimentIds: r.experiment_ids,
        filter: r.filter,
        maxResults: r.max_results ?? TRACE_LIMITS.defaultMaxResults,
        orderBy: r.order_by,
        pageToken: r.page_token,
      });
      return {
        ...(page.items.length > 0 ? { traces: page.items } : {}),
        ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}),
      };
    },
    deleteTraces: async (r) => ({
      traces_deleted: await store.deleteTraces({
        experimentId: r.experiment_id,
        maxTimestampMillis: r.max_timestamp_millis,
        maxTraces: r.max_traces,
        requestIds: r.request_ids,
      }),
    }),
    setTraceTag: async (r) => {
      await store.setTraceTag(r.request_id, r.key, r.value);
      return {};
    },
    deleteTraceTag: async (r) => {
      await store.deleteTraceTag(r.request_id, r.key);
      return {};
    },
  };
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** `GET <static prefix>/ajax-api/2.0/mlflow/get-trace-artifact?request_id=…` (the UI's route; not under /api). */
export function registerTraceArtifactRoute(
  app: FastifyInstance,
  options: { traces: TraceStore; roots: ArtifactRoots; staticPrefix: string },
): void {
  app.get(`${options.staticPrefix}${AJAX_PREFIX}${TRACE_ARTIFACT_PATH}`, async (request, reply) => {
    const raw = (request.query as Record<string, unknown> | undefined)?.request_id;
    const requestId = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    if (typeof requestId !== 'string' || requestId === '') {
      throw new RunlogError('BAD_REQUEST', 'Request must include the "request_id" query parameter.');
    }
    const info = await options.traces.getTraceInfo(requestId);
    const location = traceValue(info.tags, TRACE_ARTIFACT_LOCATION_TAG);
    if (location === undefined) throw new RunlogError('INVALID_STATE', 'Unable to determine trace artifact location.');
    const { repo, prefix } = await options.roots.forRunRoot(location);
    let bytes: Buffer;
    try {
      bytes = await readAll((await repo.get(joinArtifactPath(prefix, TRACE_DATA_FILE_NAME))).stream);
    } catch (err) {
      if (err instanceof RunlogError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
        throw RunlogError.notFound(`Trace data not found for request_id '${requestId}'.`);
      }
      throw err;
    }
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new RunlogError('INVALID_STATE', `Trace data of request_id '${requestId}' is corrupted: ${TRACE_DATA_FILE_NAME} is not JSON.`);
    }
    return reply
      .header('content-type', 'application/json')
      .header('content-disposition', contentDisposition(TRACE_DATA_FILE_NAME))
      .header('x-content-type-options', 'nosniff')
      .send(bytes);
  });
}
