import type { ExperimentAttributeKey, ExperimentOrderKey, RunAttributeKey, RunOrderKey } from './ast.js';
import { resolveExperimentEntityType } from './experiment-filter.js';
import { splitIdentifier } from './identifier.js';
import { describeToken, isKeyword, tokenize, type Segment } from './lexer.js';
import { problem, withContext } from './problem.js';
import { resolveRunEntityType } from './run-filter.js';

const RUN_ORDER_ATTRIBUTES = new Map<string, RunAttributeKey>([
  ['run_id', 'run_id'],
  ['run_name', 'run_name'],
  ['user_id', 'user_id'],
  ['status', 'status'],
  ['start_time', 'start_time'],
  ['end_time', 'end_time'],
  ['artifact_uri', 'artifact_uri'],
  ['created', 'start_time'],
  ['Created', 'start_time'],
]);

const EXPERIMENT_ORDER_ATTRIBUTES: readonly ExperimentAttributeKey[] = ['name', 'experiment_id', 'creation_time', 'last_update_time'];

export interface OrderByClause {
  segments: Segment[];
  raw: string;
  ascending: boolean;
}

/**
 * Some clients join order_by into one comma-separated string, so each element is split on commas
 * outside quotes. Blank pieces are dropped rather than rejected, since `[""]` is how such a client
 * sends "no ordering".
 */
export function splitOrderByClauses(orderBy: readonly string[] | string | undefined): string[] {
  if (orderBy === undefined || orderBy === null) return [];
  const elements: readonly unknown[] = typeof orderBy === 'string' ? [orderBy] : orderBy;
  if (!Array.isArray(elements)) throw problem('Invalid order_by: expected a list of strings');
  const clauses: string[] = [];
  for (const element of elements) {
    if (typeof element !== 'string') throw problem('Invalid order_by: expected a list of strings');
    let quote: string | undefined;
    let start = 0;
    for (let i = 0; i <= element.length; i += 1) {
      const ch = element[i];
      if (quote !== undefined) {
        if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'" || ch === '`') {
        quote = ch;
      } else if (ch === ',' || ch === undefined) {
        const piece = element.slice(start, i).trim();
        if (piece !== '') clauses.push(piece);
        start = i + 1;
      }
    }
    // An unterminated quote swallows the rest; the lexer reports it.
    if (quote !== undefined) {
      const piece = element.slice(start).trim();
      if (piece !== '') clauses.push(piece);
    }
  }
  return clauses;
}

function parseClause(clause: string): OrderByClause {
  const [ident, direction, extra] = tokenize(clause);
  if (ident?.kind !== 'ident') throw problem(`expected an identifier, found ${describeToken(ident)}`);
  if (extra !== undefined) throw problem(`expected '<identifier> [ASC|DESC]', found extra ${describeToken(extra)}`);
  let ascending = true;
  if (direction !== undefined) {
    if (isKeyword(direction, 'DESC')) ascending = false;
    else if (!isKeyword(direction, 'ASC')) throw problem(`invalid ordering direction ${describeToken(direction)}; expected ASC or DESC`);
  }
  return { segments: ident.segments, raw: ident.raw, ascending };
}

/** Parses each clause with `resolve`, naming the clause in any error. */
export function parseOrderBy<Key>(orderBy: readonly string[] | undefined, resolve: (clause: OrderByClause) => Key): Key[] {
  return splitOrderByClauses(orderBy).map((clause) => withContext(`Invalid order_by clause '${clause}'`, () => resolve(parseClause(clause))));
}

/** Parses `runs/search` order_by clauses such as `metrics.rmse DESC`, in priority order. */
export function parseRunOrderBy(orderBy: readonly string[] | undefined): RunOrderKey[] {
  return parseOrderBy(orderBy, ({ segments, raw, ascending }): RunOrderKey => {
    const { entity, key } = splitIdentifier(segments, raw);
    const type = resolveRunEntityType(entity, raw);
    if (type === 'dataset') throw problem('runs cannot be ordered by dataset fields');
    if (type !== 'attribute') return { type, key, ascending };
    const attribute = RUN_ORDER_ATTRIBUTES.get(key);
    if (attribute === undefined) {
      const valid = [...RUN_ORDER_ATTRIBUTES.keys()].map((k) => `'${k}'`).join(', ');
      throw problem(`invalid attribute key '${key}'; valid keys are ${valid}`);
    }
    return { type, key: attribute, ascending };
  });
}

/** Parses `experiments/search` order_by clauses such as `last_update_time DESC`, in priority order. */
export function parseExperimentOrderBy(orderBy: readonly string[] | undefined): ExperimentOrderKey[] {
  return parseOrderBy(orderBy, ({ segments, raw, ascending }): ExperimentOrderKey => {
    const { entity, key } = splitIdentifier(segments, raw);
    if (resolveExperimentEntityType(entity, raw) === 'tag') throw problem('experiments cannot be ordered by tags');
    const attribute = EXPERIMENT_ORDER_ATTRIBUTES.find((k) => k === key);
    if (attribute === undefined) {
      throw problem(`invalid attribute key '${key}'; valid keys are 'name', 'experiment_id', 'creation_time', 'last_update_time'`);
    }
    return { key: attribute, ascending };
  });
}
