import type { Comparator, ExperimentAttributeKey, ExperimentClause } from './ast.js';
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
import { problem } from './problem.js';

const EXPERIMENT_ENTITY_TYPES: Readonly<Record<string, 'attribute' | 'tag'>> = {
  attribute: 'attribute',
  attributes: 'attribute',
  tag: 'tag',
  tags: 'tag',
};

/** Resolves the `<type>` of `<type>.<key>` for experiments; a bare key is an attribute. */
export function resolveExperimentEntityType(entity: string | undefined, raw: string): 'attribute' | 'tag' {
  if (entity === undefined) return 'attribute';
  const type = lookupAlias(EXPERIMENT_ENTITY_TYPES, entity);
  if (type === undefined) {
    throw problem(`invalid entity type '${entity}' in '${raw}'; valid types are 'attribute', 'tag' (or 'attributes', 'tags')`);
  }
  return type;
}

const FILTER_ATTRIBUTES: readonly ExperimentAttributeKey[] = ['name', 'creation_time', 'last_update_time'];

interface ExperimentIdentifier {
  type: 'attribute' | 'tag';
  key: string;
  numeric: boolean;
}

function resolveIdentifier(segments: readonly Segment[], raw: string): ExperimentIdentifier {
  const { entity, key } = splitIdentifier(segments, raw);
  const type = resolveExperimentEntityType(entity, raw);
  if (type === 'attribute' && !FILTER_ATTRIBUTES.some((k) => k === key)) {
    throw problem(`invalid attribute key '${key}' in '${raw}'; valid keys are 'name', 'creation_time', 'last_update_time'`);
  }
  return { type, key, numeric: type === 'attribute' && key !== 'name' };
}

function describe(id: ExperimentIdentifier): string {
  return `${id.type} '${id.key}'`;
}

function buildClause(id: ExperimentIdentifier, comparator: Comparator, raw: RawValue): ExperimentClause {
  const value = id.numeric ? numberValue(raw, describe(id), true) : stringOrListValue(raw, comparator, describe(id));
  return { type: id.type, key: id.key, comparator, value };
}

const EXPERIMENT_GRAMMAR: ClauseGrammar<ExperimentIdentifier, ExperimentClause> = {
  resolveIdentifier,
  comparators: (id) => (id.numeric ? NUMERIC_COMPARATORS : STRING_COMPARATORS),
  describe,
  buildClause,
};

/** Parses an `experiments/search` filter into its AND-ed comparisons. */
export function parseExperimentFilter(filter: string | undefined): ExperimentClause[] {
  return parseConjunction(filter, EXPERIMENT_GRAMMAR);
}
