/** The model registry's REST calls and entities: `@runlog/core`'s registry endpoint table (issue 5). */
export { registry, type ModelVersion, type RegisteredModel, type RegisteredModelAlias } from '@runlog/core';
