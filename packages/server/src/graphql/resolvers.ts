/**
 * GraphQL resolvers over the REST handlers: each root field turns its `input` into the REST request body
 * (camelCase → snake_case), parses it with the same endpoint schema and calls the same handler, so
 * validation, store calls and error codes are those of the REST route. Every other field reads the
 * snake_case entity, with proto defaults for what is unset (graphql/proto-fields.ts).
 */
import type { GraphQLFieldResolver } from 'graphql';
import {
  RawJson,
  RunlogError,
  parseRequest,
  parseWire,
  registry as registryEndpoints,
  tracking as trackingEndpoints,
  type Endpoint,
  type ParsedRequestOf,
  type Run,
} from '@runlog/core';
import type { TrackingHandlers } from '../http/tracking-handlers.js';
import type { RegistryHandlers } from '../http/registry-handlers.js';
import { protoField, snakeCase } from './proto-fields.js';

export interface GraphqlDeps {
  tracking: TrackingHandlers;
  /** Absent when the server has no model registry. */
  registry?: RegistryHandlers | undefined;
  /** `artifacts/list` for a run (http/artifact-routes.ts `listRunArtifacts`). */
  listArtifacts: (input: unknown) => Promise<unknown>;
}

/** Per-request state: a search's runs mostly share one experiment, fetched once. */
export interface GraphqlContext {
  experiments: Map<string, Promise<unknown>>;
}

export function newGraphqlContext(): GraphqlContext {
  return { experiments: new Map() };
}

type Resolver = GraphQLFieldResolver<unknown, GraphqlContext, Record<string, unknown>>;

/** The field's `input` argument as the REST body: snake_case keys, nulls dropped (an unset proto field). */
export function restBody(args: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const input = args.input;
  if (input !== null && typeof input === 'object') {
    for (const [key, value] of Object.entries(input)) {
      if (value !== null && value !== undefined) body[snakeCase(key)] = value;
    }
  }
  return body;
}

async function viaRest<E extends Endpoint>(
  endpoint: E,
  handler: (request: ParsedRequestOf<E>) => Promise<unknown>,
  body: Record<string, unknown>,
): Promise<unknown> {
  const response = await handler(parseRequest(endpoint.request, body) as ParsedRequestOf<E>);
  return response instanceof RawJson ? parseWire(response.text) : response;
}

function noRegistry(): RunlogError {
  return new RunlogError('ENDPOINT_NOT_FOUND', 'This server has no model registry');
}

function runOf(source: unknown): Run {
  return source as Run;
}

/** One resolver for every field: the root fields and run extensions below, proto fields otherwise. */
export function createFieldResolver(deps: GraphqlDeps): Resolver {
  const { tracking } = deps;
  const own: Record<string, Resolver> = {
    'Query.mlflowGetExperiment': (_s, args) => viaRest(trackingEndpoints.getExperiment, tracking.getExperiment, restBody(args)),
    'Query.mlflowGetMetricHistoryBulkInterval': (_s, args) =>
      viaRest(trackingEndpoints.getMetricHistoryBulkInterval, tracking.getMetricHistoryBulkInterval, restBody(args)),
    'Query.mlflowGetRun': (_s, args) => viaRest(trackingEndpoints.getRun, tracking.getRun, restBody(args)),
    'Query.mlflowListArtifacts': (_s, args) => deps.listArtifacts(restBody(args)),
    'Query.mlflowSearchModelVersions': (_s, args) => {
      if (!deps.registry) throw noRegistry();
      return viaRest(registryEndpoints.searchModelVersions, deps.registry.searchModelVersions, restBody(args));
    },
    'Query.test': (_s, args) => ({ output: args.inputString ?? null }),
    'Mutation.mlflowSearchDatasets': (_s, args) =>
      viaRest(trackingEndpoints.searchDatasets, tracking.searchDatasets, restBody(args)),
    'Mutation.mlflowSearchRuns': (_s, args) => viaRest(trackingEndpoints.searchRuns, tracking.searchRuns, restBody(args)),
    // MLflow 2.17 names this field's resolver so that graphene never finds it: the field is always null.
    'Mutation.testMutation': () => null,
    'MlflowRunExtension.experiment': (source, _args, context) => {
      const id = runOf(source).info.experiment_id;
      let experiment = context.experiments.get(id);
      if (!experiment) {
        experiment = viaRest(trackingEndpoints.getExperiment, tracking.getExperiment, { experiment_id: id }).then(
          (body) => (body as { experiment?: unknown }).experiment,
        );
        context.experiments.set(id, experiment);
      }
      return experiment;
    },
    'MlflowRunExtension.modelVersions': async (source) => {
      if (!deps.registry) throw noRegistry();
      const filter = `run_id='${runOf(source).info.run_id}'`;
      const body = await viaRest(registryEndpoints.searchModelVersions, deps.registry.searchModelVersions, { filter });
      return (body as { model_versions?: unknown[] }).model_versions ?? [];
    },
  };
  return (source, args, context, info) => {
    const resolver = own[`${info.parentType.name}.${info.fieldName}`];
    return resolver ? resolver(source, args, context, info) : protoField(source, info);
  };
}
