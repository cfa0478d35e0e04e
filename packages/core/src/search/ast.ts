/** Parsed forms of MLflow's search filters and order_by clauses. Stores compile these; nothing re-parses text. */

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export type RunEntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** `run_id`, `run_name`, `user_id`, `status`, `artifact_uri`, `start_time`, `end_time` (after alias resolution). */
export type RunAttributeKey = 'run_id' | 'run_name' | 'user_id' | 'status' | 'artifact_uri' | 'start_time' | 'end_time';

export type DatasetKey = 'name' | 'digest' | 'context';

/**
 * One comparison of a conjunctive filter. `value` is a number for metric and numeric-attribute comparisons,
 * a string list for IN / NOT IN, a string otherwise.
 */
export interface RunClause {
  type: RunEntityType;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export interface RunOrderKey {
  type: Exclude<RunEntityType, 'dataset'>;
  key: string;
  ascending: boolean;
}

export type ExperimentAttributeKey = 'name' | 'creation_time' | 'last_update_time' | 'experiment_id';

export interface ExperimentClause {
  type: 'attribute' | 'tag';
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export interface ExperimentOrderKey {
  key: ExperimentAttributeKey;
  ascending: boolean;
}
