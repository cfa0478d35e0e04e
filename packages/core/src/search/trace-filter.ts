/**
 * The `traces` search grammar (MLflow's SearchTraceUtils): `attributes.` (alias `trace.`), `tags.`, and
 * `request_metadata.` (alias `metadata.`) keys, comparisons joined with AND, and its order_by clauses.
 * As in MLflow, the keys `name`, `run_id`, `timestamp` and `execution_time` are shorthands, whatever
 * their prefix: `name` is the tag `mlflow.traceName`, `run_id` the request metadata `mlflow.sourceRun`.
 */
import type { Comparator } from './ast.js';
import {
  NUMERIC_COMPARATORS,
  numberValue,
  parseConjunction,
  stringOrListValue,
  type ClauseGrammar,
  type RawValue,
} from './filter-parser.js';
import { lookupAlias, splitIdentifier } from './identifier.js';
import type { Segment } from './lexer.js';
import { parseOrderBy } from './order-by.js';
import { problem } from './problem.js';

export type TraceEntityType = 'attribute' | 'tag' | 'request_metadata';

/** Trace attributes after alias resolution: columns of the trace table. */
export type TraceAttributeKey = 'request_id' | 'experiment_id' | 'timestamp_ms' | 'execution_time_ms' | 'status';

export interface TraceClause {
  type: TraceEntityType;
  key: string;
  comparator: Comparator;
  /** A number for the numeric attributes, a string list for IN / NOT IN, a string otherwise. */
  value: string | number | string[];
}

export interface TraceOrderKey {
  type: TraceEntityType;
  key: string;
  ascending: boolean;
}

const ENTITY_TYPES: Readonly<Record<string, TraceEntityType>> = {
  attribute: 'attribute',
  attributes: 'attribute',
  trace: 'attribute',
  tag: 'tag',
  tags: 'tag',
  request_metadata: 'request_metadata',
  metadata: 'request_metadata',
};

const SEARCH_ATTRIBUTES = ['request_id', 'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'status', 'name', 'run_id'];
const ORDER_ATTRIBUTES = [...SEARCH_ATTRIBUTES, 'experiment_id'];
const NUMERIC_ATTRIBUTES: readonly string[] = ['timestamp_ms', 'execution_time_ms'];
const STRING_ATTRIBUTE_COMPARATORS = ['=', '!=', 'IN', 'NOT IN'] as const satisfies readonly Comparator[];
const KEY_VALUE_COMPARATORS = ['=', '!='] as const satisfies readonly Comparator[];

const SHORTHANDS: Readonly<Record<string, { type: TraceEntityType; key: string }>> = {
  name: { type: 'tag', key: 'mlflow.traceName' },
  run_id: { type: 'request_metadata', key: 'mlflow.sourceRun' },
};
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = { timestamp: 'timestamp_ms', execution_time: 'execution_time_ms' };

interface TraceIdentifier {
  type: TraceEntityType;
  key: string;
}

function resolve(segments: readonly Segment[], raw: string, attributes: readonly string[]): TraceIdentifier {
  const { entity, key } = splitIdentifier(segments, raw);
  const type = entity === undefined ? 'attribute' : lookupAlias(ENTITY_TYPES, entity);
  if (type === undefined) {
    throw problem(`invalid entity type '${entity ?? ''}' in '${raw}'; valid types are 'attribute', 'tag', 'request_metadata' (or their aliases)`);
  }
  if (type === 'attribute' && !attributes.includes(key)) {
    throw problem(`invalid attribute key '${key}' in '${raw}'; valid keys are ${attributes.map((k) => `'${k}'`).join(', ')}`);
  }
  const lower = key.toLowerCase();
  const shorthand = lookupAlias(SHORTHANDS, lower);
  if (shorthand !== undefined) return shorthand;
  return { type, key: lookupAlias(ATTRIBUTE_ALIASES, lower) ?? key };
}

const isNumeric = (id: TraceIdentifier): boolean => id.type === 'attribute' && NUMERIC_ATTRIBUTES.includes(id.key);

const LABELS: Readonly<Record<TraceEntityType, string>> = { attribute: 'attribute', tag: 'tag', request_metadata: 'request metadata' };

const TRACE_GRAMMAR: ClauseGrammar<TraceIdentifier, TraceClause> = {
  resolveIdentifier: (segments, raw) => resolve(segments, raw, SEARCH_ATTRIBUTES),
  comparators: (id) => (id.type !== 'attribute' ? KEY_VALUE_COMPARATORS : isNumeric(id) ? NUMERIC_COMPARATORS : STRING_ATTRIBUTE_COMPARATORS),
  describe: (id) => `${LABELS[id.type]} '${id.key}'`,
  buildClause(id: TraceIdentifier, comparator: Comparator, raw: RawValue): TraceClause {
    const what = `${LABELS[id.type]} '${id.key}'`;
    const value = isNumeric(id) ? numberValue(raw, what, false) : stringOrListValue(raw, comparator, what);
    return { type: id.type, key: id.key, comparator, value };
  },
};

/** Parses a `traces` search filter into its AND-ed comparisons. */
export function parseTraceFilter(filter: string | undefined): TraceClause[] {
  return parseConjunction(filter, TRACE_GRAMMAR);
}

/**
 * Parses `traces` order_by clauses (`timestamp DESC`, `tags.team`), in priority order. A key named twice is
 * an error, as in MLflow.
 */
export function parseTraceOrderBy(orderBy: readonly string[] | undefined): TraceOrderKey[] {
  const keys = parseOrderBy(orderBy, ({ segments, raw, ascending }): TraceOrderKey => ({
    ...resolve(segments, raw, ORDER_ATTRIBUTES),
    ascending,
  }));
  const seen = new Set<string>();
  for (const { type, key } of keys) {
    const id = `${type}.${key}`;
    if (seen.has(id)) throw problem(`order_by names ${LABELS[type]} '${key}' more than once`);
    seen.add(id);
  }
  return keys;
}
