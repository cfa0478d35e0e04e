export * from './entities.js';
export * from './errors.js';
export * from './limits.js';
export * from './validation.js';
export * from './wire-json.js';
export * from './stores.js';
export * from './api/index.js';
export * from './search/index.js';
