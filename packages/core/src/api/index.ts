export * from './endpoint.js';
export * from './fields.js';
export * from './request-errors.js';
export * from './tracking.js';
export * from './artifacts.js';
export * from './registry.js';
export * from './traces.js';
