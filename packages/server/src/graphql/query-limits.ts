/**
 * MLflow's guard against batching and amplification through one GraphQL document (its server refuses a
 * query before executing it): at most 10 levels of selection sets, 1000 field selections in all, and, by
 * default, 10 root fields and 10 aliased fields per selection set. Fragments count where they are spread.
 */
import {
  Kind,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const MAX_QUERY_DEPTH = 10;
export const MAX_QUERY_SELECTIONS = 1000;

export interface QueryLimits {
  /** `MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS` (default 10). */
  maxRootFields: number;
  /** `MLFLOW_SERVER_GRAPHQL_MAX_ALIASES` (default 10). */
  maxAliases: number;
}

/**
 * Runlog's own guard, checked on the tokens before parsing: graphql-js parses recursively and runs out of
 * stack at a few thousand nested brackets. No query this schema accepts nests brackets that deep.
 */
export const MAX_BRACKET_NESTING = 32;

export const DEFAULT_QUERY_LIMITS: QueryLimits = Object.freeze({ maxRootFields: 10, maxAliases: 10 });

class LimitExceeded extends Error {}

/** The fields of one selection set, fragments flattened in; each fragment is expanded once per level. */
function fieldsOf(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { fields: FieldNode[]; aliases: number } {
  const fields: FieldNode[] = [];
  let aliases = 0;
  const expanded = new Set<string>();
  const pending = [...selectionSet.selections];
  for (let i = 0; i < pending.length; i += 1) {
    const selection = pending[i];
    if (!selection) continue;
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
      if (selection.alias) aliases += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      pending.push(...selection.selectionSet.selections);
    } else if (!expanded.has(selection.name.value)) {
      expanded.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) pending.push(...fragment.selectionSet.selections);
    }
  }
  return { fields, aliases };
}

function scan(document: DocumentNode): { rootFields: number; maxAliases: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let rootFields = 0;
  let maxAliases = 0;
  let selections = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const stack: { set: SelectionSetNode; depth: number }[] = [{ set: definition.selectionSet, depth: 1 }];
    for (let level = stack.pop(); level; level = stack.pop()) {
      if (level.depth > MAX_QUERY_DEPTH) throw new LimitExceeded(`Query exceeds maximum depth of ${MAX_QUERY_DEPTH}`);
      const { fields, aliases } = fieldsOf(level.set, fragments);
      for (const field of fields) {
        if (level.depth === 1) rootFields += 1;
        if (field.selectionSet) stack.push({ set: field.selectionSet, depth: level.depth + 1 });
        selections += 1;
        if (selections > MAX_QUERY_SELECTIONS) {
          throw new LimitExceeded(`Query exceeds maximum total selections of ${MAX_QUERY_SELECTIONS}`);
        }
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  return { rootFields, maxAliases };
}

/** A message when `query` nests brackets deeper than MAX_BRACKET_NESTING; throws GraphQLError on a syntax error. */
export function nestingViolation(query: string): string | undefined {
  const lexer = new Lexer(new Source(query));
  let depth = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
      depth += 1;
      if (depth > MAX_BRACKET_NESTING) return `Query exceeds maximum nesting of ${MAX_BRACKET_NESTING} brackets`;
    } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
      depth -= 1;
    }
  }
  return undefined;
}

/** The message MLflow answers with when a parsed query is over a limit; undefined when it is within them. */
export function queryLimitViolation(document: DocumentNode, limits: QueryLimits): string | undefined {
  let info: { rootFields: number; maxAliases: number };
  try {
    info = scan(document);
  } catch (err) {
    if (err instanceof LimitExceeded) return err.message;
    throw err;
  }
  const over = (max: number, got: number, what: string, env: string) =>
    `GraphQL queries should have at most ${max} ${what}, got ${got} ${what}. To increase the limit, set the ${env} environment variable.`;
  if (info.rootFields > limits.maxRootFields) {
    return over(limits.maxRootFields, info.rootFields, 'root fields', 'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS');
  }
  if (info.maxAliases > limits.maxAliases) {
    return over(limits.maxAliases, info.maxAliases, 'aliases', 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES');
  }
  return undefined;
}
