// `npm run bench` entry (package.json runs `node bench/run.mjs`): loads tsx, then the TypeScript driver.
// Equivalent to `node --import tsx bench/run.ts`.
import { register } from 'tsx/esm/api';

register();
await import('./run.ts');
