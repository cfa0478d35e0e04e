export * from './entities.js';
export * from './validation.js';
export * from './model-uri.js';
export * from './model-source.js';
export type * from './store.js';
export * from './resolve.js';
