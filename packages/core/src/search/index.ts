export type * from './ast.js';
export { parseRunFilter } from './run-filter.js';
export { parseExperimentFilter } from './experiment-filter.js';
export { parseRunOrderBy, parseExperimentOrderBy, splitOrderByClauses } from './order-by.js';
export { encodePageToken, decodePageToken } from './page-token.js';
export { likeToRegExp } from './like.js';
export {
  parseRegisteredModelFilter,
  parseModelVersionFilter,
  parseRegisteredModelOrderBy,
  parseModelVersionOrderBy,
} from './registry-filter.js';
export type {
  RegistryClause,
  RegisteredModelClause,
  ModelVersionClause,
  RegisteredModelOrderKey,
  ModelVersionOrderKey,
} from './registry-filter.js';
export { parseTraceFilter, parseTraceOrderBy } from './trace-filter.js';
export type { TraceClause, TraceOrderKey, TraceEntityType, TraceAttributeKey } from './trace-filter.js';
