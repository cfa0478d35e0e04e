/**
 * `GET|POST /graphql` (MLflow's path) and `/ajax-api/graphql` (behind the static prefix, beside the UI's other
 * ajax routes). POST takes MLflow's JSON body `{query, variables, operationName}`; GET the same as query
 * parameters (`variables` as JSON). One operation per request: a JSON array (a batch) is refused with 400.
 * The routes live in their own Fastify scope whose body parser keeps the raw text, since the app's lenient
 * JSON parser would turn a batch into `{}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RunlogError, invalidValue, missingValue } from '@runlog/core';
import { checkJsonContentType } from '../http/request-input.js';
import type { GraphqlRequest, GraphqlResponse, GraphqlService } from './execute.js';

export const GRAPHQL_PATH = '/graphql';
export const AJAX_GRAPHQL_PATH = '/ajax-api/graphql';
/** A GraphQL document plus variables; anything larger is refused (413) before it is parsed. */
export const GRAPHQL_BODY_LIMIT_BYTES = 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the three fields of a GraphQL request, whichever way they came. */
export function graphqlRequestOf(fields: Record<string, unknown>): GraphqlRequest {
  const { query, variables, operationName } = fields;
  if (query === undefined || query === null || query === '') throw missingValue('query');
  if (typeof query !== 'string') throw invalidValue('query', query, 'expected a string');
  if (variables !== undefined && variables !== null && !isObject(variables)) {
    throw invalidValue('variables', variables, 'expected a JSON object');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw invalidValue('operationName', operationName, 'expected a string');
  }
  return {
    query,
    variables: isObject(variables) ? variables : undefined,
    operationName: typeof operationName === 'string' ? operationName : undefined,
  };
}

function fromBody(request: FastifyRequest): Record<string, unknown> {
  checkJsonContentType(request);
  const text = typeof request.body === 'string' ? request.body : '';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw RunlogError.invalidParameter('Malformed GraphQL request: the body is not valid JSON.');
  }
  if (Array.isArray(body)) {
    throw RunlogError.invalidParameter('Batched GraphQL requests are not supported: send one operation per request.');
  }
  if (!isObject(body)) throw RunlogError.invalidParameter('Malformed GraphQL request: the body must be a JSON object.');
  return body;
}

function fromQueryString(request: FastifyRequest): Record<string, unknown> {
  const params = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const first = (name: string): string | undefined => {
    const value = params[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const variablesText = first('variables');
  let variables: unknown;
  if (variablesText !== undefined && variablesText !== '') {
    try {
      variables = JSON.parse(variablesText);
    } catch {
      throw invalidValue('variables', variablesText, 'expected a JSON object');
    }
  }
  return { query: first('query'), variables, operationName: first('operationName') };
}

/** MLflow's Flask `jsonify`: compact, keys sorted at every level. */
export function stringifySorted(response: GraphqlResponse): string {
  return JSON.stringify(response, (_key, value: unknown) =>
    isObject(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])) : value,
  );
}

export function registerGraphqlRoutes(app: FastifyInstance, service: GraphqlService, staticPrefix: string): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const fields = request.method === 'GET' ? fromQueryString(request) : fromBody(request);
    const response = await service.run(graphqlRequestOf(fields));
    return reply.type('application/json').send(stringifySorted(response));
  };
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: GRAPHQL_BODY_LIMIT_BYTES }, (_req, body, done) => {
      done(null, body);
    });
    for (const url of [GRAPHQL_PATH, staticPrefix + AJAX_GRAPHQL_PATH]) {
      scope.route({ method: ['GET', 'POST'], url, bodyLimit: GRAPHQL_BODY_LIMIT_BYTES, handler });
    }
    done();
  });
}
