/**
 * One GraphQL request, end to end, as MLflow's `_graphql` handler answers it: `{data, errors}` where
 * `errors` is a list of messages or null. Syntax, limit and validation errors leave `data` null; a failing
 * field is null with its error's message (the REST route's message: "Run with id=… not found").
 */
import { GraphQLError, execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { RunlogError } from '@runlog/core';
import { buildMlflowSchema } from './schema.js';
import { createFieldResolver, newGraphqlContext, type GraphqlDeps } from './resolvers.js';
import { nestingViolation, queryLimitViolation, type QueryLimits } from './query-limits.js';

/** Parser budget (Runlog's own): far above any query within MLflow's selection limits. */
export const MAX_QUERY_TOKENS = 10_000;

export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

export interface GraphqlResponse {
  data: unknown;
  errors: string[] | null;
}

export interface GraphqlService {
  run(request: GraphqlRequest): Promise<GraphqlResponse>;
}

const INTERNAL = 'Internal server error';

export function createGraphqlService(
  deps: GraphqlDeps,
  limits: QueryLimits,
  onInternalError: (err: unknown) => void = () => undefined,
): GraphqlService {
  const schema: GraphQLSchema = buildMlflowSchema();
  const fieldResolver = createFieldResolver(deps);

  /** A caller's mistake keeps its message; anything else is logged and reported without details. */
  const messageOf = (error: GraphQLError): string => {
    const cause = error.originalError;
    if (cause === undefined || cause instanceof RunlogError || cause instanceof GraphQLError) return error.message;
    onInternalError(cause);
    return INTERNAL;
  };
  const failed = (errors: readonly GraphQLError[]): GraphqlResponse => ({ data: null, errors: errors.map(messageOf) });

  return {
    async run(request) {
      let document: DocumentNode;
      try {
        const tooDeep = nestingViolation(request.query);
        if (tooDeep !== undefined) return { data: null, errors: [tooDeep] };
        document = parse(request.query, { maxLexicalTokens: MAX_QUERY_TOKENS });
      } catch (err) {
        if (err instanceof GraphQLError) return failed([err]);
        throw err;
      }
      const violation = queryLimitViolation(document, limits);
      if (violation !== undefined) return { data: null, errors: [violation] };
      const invalid = validate(schema, document);
      if (invalid.length > 0) return failed(invalid);
      const result = await execute({
        schema,
        document,
        variableValues: request.variables,
        operationName: request.operationName,
        contextValue: newGraphqlContext(),
        fieldResolver,
      });
      return {
        data: result.data ?? null,
        errors: result.errors && result.errors.length > 0 ? result.errors.map(messageOf) : null,
      };
    },
  };
}
