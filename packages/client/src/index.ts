export * from './http.js';
export * from './rest-tracking-store.js';
export * from './artifacts.js';
export * from './rest-registry-store.js';
