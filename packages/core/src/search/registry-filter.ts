/**
 * Filters and order_by for the registry searches (MLflow's SearchModelUtils / SearchModelVersionUtils):
 * registered models filter on `name` and tags; model versions on `name`, `run_id` (with IN),
 * `source_path`, `version_number` and tags. Comparisons are joined by AND only.
 */
import type { Comparator } from './ast.js';
import {
  NUMERIC_COMPARATORS,
  STRING_COMPARATORS,
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

export type RegisteredModelAttribute = 'name';
export type ModelVersionAttribute = 'name' | 'run_id' | 'source_path' | 'version_number';

/** One comparison; for attributes `key` is one of the grammar's attribute names. */
export interface RegistryClause {
  type: 'attribute' | 'tag';
  key: string;
  comparator: Comparator;
  /** A number for version_number, a list for IN, a string otherwise. */
  value: string | number | string[];
}

export type RegisteredModelClause = RegistryClause;
export type ModelVersionClause = RegistryClause;

const ENTITY_TYPES: Readonly<Record<string, 'attribute' | 'tag'>> = {
  attribute: 'attribute',
  attributes: 'attribute',
  tag: 'tag',
  tags: 'tag',
};

interface RegistryIdentifier {
  type: 'attribute' | 'tag';
  key: string;
}

function grammar(attributes: readonly (RegisteredModelAttribute | ModelVersionAttribute)[]): ClauseGrammar<RegistryIdentifier, RegistryClause> {
  const describe = (id: RegistryIdentifier) => `${id.type} '${id.key}'`;
  return {
    resolveIdentifier(segments: readonly Segment[], raw: string): RegistryIdentifier {
      const { entity, key } = splitIdentifier(segments, raw);
      const type = entity === undefined ? 'attribute' : lookupAlias(ENTITY_TYPES, entity);
      if (type === undefined) {
        throw problem(`invalid entity type '${entity ?? ''}' in '${raw}'; valid types are 'attribute', 'tag' (or 'attributes', 'tags')`);
      }
      if (type === 'attribute' && !attributes.some((a) => a === key)) {
        throw problem(`Invalid attribute key '${key}' specified. Valid keys are ${attributes.map((a) => `'${a}'`).join(', ')}`);
      }
      return { type, key };
    },
    comparators(id) {
      if (id.type === 'attribute' && id.key === 'version_number') return NUMERIC_COMPARATORS;
      if (id.type === 'attribute' && id.key === 'run_id') return [...STRING_COMPARATORS, 'IN'];
      return STRING_COMPARATORS;
    },
    describe,
    buildClause(id, comparator: Comparator, raw: RawValue) {
      const value =
        id.type === 'attribute' && id.key === 'version_number'
          ? numberValue(raw, describe(id), true)
          : stringOrListValue(raw, comparator, describe(id));
      return { type: id.type, key: id.key, comparator, value };
    },
  };
}

const MODEL_GRAMMAR = grammar(['name']);
const VERSION_GRAMMAR = grammar(['name', 'run_id', 'source_path', 'version_number']);

export function parseRegisteredModelFilter(filter: string | undefined): RegisteredModelClause[] {
  return parseConjunction(filter, MODEL_GRAMMAR);
}

export function parseModelVersionFilter(filter: string | undefined): ModelVersionClause[] {
  return parseConjunction(filter, VERSION_GRAMMAR);
}

export type RegisteredModelOrderKey = { key: 'name' | 'last_updated_timestamp' | 'creation_timestamp'; ascending: boolean };
export type ModelVersionOrderKey = {
  key: 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';
  ascending: boolean;
};

function orderParser<K extends string>(valid: Readonly<Record<string, K>>) {
  return (orderBy: readonly string[] | undefined): { key: K; ascending: boolean }[] => {
    const keys = parseOrderBy(orderBy, ({ segments, raw, ascending }) => {
      const { entity, key } = splitIdentifier(segments, raw);
      if (entity !== undefined && lookupAlias(ENTITY_TYPES, entity) !== 'attribute') {
        throw problem(`ordering by '${raw}' is not supported; order by an attribute`);
      }
      const resolved = Object.hasOwn(valid, key) ? valid[key] : undefined;
      if (resolved === undefined) {
        throw problem(`Invalid order by key '${key}' specified. Valid keys are ${Object.keys(valid).map((k) => `'${k}'`).join(', ')}`);
      }
      return { key: resolved, ascending };
    });
    const seen = new Set<K>();
    for (const k of keys) {
      // MLflow fails such requests with a 500; a caller's mistake is a 400 here.
      if (seen.has(k.key)) throw problem(`order_by names '${k.key}' more than once`);
      seen.add(k.key);
    }
    return keys;
  };
}

/** `timestamp` is MLflow's alias for last-updated time. */
export const parseRegisteredModelOrderBy = orderParser<RegisteredModelOrderKey['key']>({
  name: 'name',
  timestamp: 'last_updated_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
  creation_timestamp: 'creation_timestamp',
});

export const parseModelVersionOrderBy = orderParser<ModelVersionOrderKey['key']>({
  name: 'name',
  version_number: 'version_number',
  creation_timestamp: 'creation_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
  timestamp: 'last_updated_timestamp',
});
