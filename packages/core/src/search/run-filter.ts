import type { Comparator, DatasetKey, RunAttributeKey, RunClause, RunEntityType } from './ast.js';
import {
  NUMERIC_COMPARATORS,
  STRING_AND_LIST_COMPARATORS,
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

const RUN_ENTITY_TYPES: Readonly<Record<string, RunEntityType>> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** Resolves the `<type>` of `<type>.<key>`; a bare key is an attribute. */
export function resolveRunEntityType(entity: string | undefined, raw: string): RunEntityType {
  if (entity === undefined) return 'attribute';
  const type = lookupAlias(RUN_ENTITY_TYPES, entity);
  if (type === undefined) {
    throw problem(
      `invalid entity type '${entity}' in '${raw}'; valid types are 'metric', 'parameter', 'tag', 'attribute', 'dataset' (or their aliases)`,
    );
  }
  return type;
}

// Attribute keys are case-sensitive, as in MLflow; the UI's column titles are listed as aliases.
const STRING_ATTRIBUTES = new Map<string, RunAttributeKey>([
  ['run_id', 'run_id'],
  ['run_name', 'run_name'],
  ['user_id', 'user_id'],
  ['status', 'status'],
  ['artifact_uri', 'artifact_uri'],
  ['run name', 'run_name'],
  ['Run name', 'run_name'],
  ['Run Name', 'run_name'],
]);
const NUMERIC_ATTRIBUTES = new Map<string, RunAttributeKey>([
  ['start_time', 'start_time'],
  ['end_time', 'end_time'],
  ['created', 'start_time'],
  ['Created', 'start_time'],
]);
const DATASET_KEYS: readonly DatasetKey[] = ['name', 'digest', 'context'];

interface RunIdentifier {
  type: RunEntityType;
  key: string;
  numeric: boolean;
}

const LABELS: Readonly<Record<RunEntityType, string>> = {
  metric: 'metric',
  param: 'parameter',
  tag: 'tag',
  attribute: 'attribute',
  dataset: 'dataset',
};

function resolveIdentifier(segments: readonly Segment[], raw: string): RunIdentifier {
  const { entity, key } = splitIdentifier(segments, raw);
  const type = resolveRunEntityType(entity, raw);
  if (type === 'attribute') {
    const stringKey = STRING_ATTRIBUTES.get(key);
    if (stringKey !== undefined) return { type, key: stringKey, numeric: false };
    const numericKey = NUMERIC_ATTRIBUTES.get(key);
    if (numericKey !== undefined) return { type, key: numericKey, numeric: true };
    const valid = [...STRING_ATTRIBUTES.keys(), ...NUMERIC_ATTRIBUTES.keys()].map((k) => `'${k}'`).join(', ');
    throw problem(`invalid attribute key '${key}' in '${raw}'; valid keys are ${valid}`);
  }
  if (type === 'dataset' && !DATASET_KEYS.some((k) => k === key)) {
    throw problem(`invalid dataset key '${key}' in '${raw}'; valid keys are 'name', 'digest', 'context'`);
  }
  return { type, key, numeric: type === 'metric' };
}

function comparators(id: RunIdentifier): readonly Comparator[] {
  if (id.numeric) return NUMERIC_COMPARATORS;
  if (id.type === 'dataset' || (id.type === 'attribute' && id.key === 'run_id')) return STRING_AND_LIST_COMPARATORS;
  return STRING_COMPARATORS;
}

function describe(id: RunIdentifier): string {
  return `${LABELS[id.type]} '${id.key}'`;
}

function buildClause(id: RunIdentifier, comparator: Comparator, raw: RawValue): RunClause {
  const { type, key } = id;
  if (id.numeric) return { type, key, comparator, value: numberValue(raw, describe(id), type === 'attribute') };
  let value = stringOrListValue(raw, comparator, describe(id));
  // Run ids are lower-case hex; MLflow drops other spellings because MySQL's IN ignores case.
  if (Array.isArray(value) && type === 'attribute') value = value.filter((v) => v === v.toLowerCase());
  return { type, key, comparator, value };
}

const RUN_GRAMMAR: ClauseGrammar<RunIdentifier, RunClause> = { resolveIdentifier, comparators, describe, buildClause };

/** Parses a `runs/search` filter into its AND-ed comparisons. */
export function parseRunFilter(filter: string | undefined): RunClause[] {
  return parseConjunction(filter, RUN_GRAMMAR);
}
