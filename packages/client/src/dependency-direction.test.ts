/**
 * `@runlog/client` depends on core only: the server package is reached in local mode through one dynamic
 * import with a variable specifier (tracking/runlog-client.ts), never a static import that would make the client
 * pull in Fastify, SQLite and the rest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

it('no client module names @runlog/server in an import', () => {
  const offenders = sources(SRC).filter((file) =>
    /(?:from\s+|import\s*\(\s*)['"]@runlog\/server['"]/.test(fs.readFileSync(file, 'utf8')),
  );
  expect(offenders).toEqual([]);
  const pkg = JSON.parse(fs.readFileSync(path.join(SRC, '..', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  expect(Object.keys(pkg.dependencies ?? {})).not.toContain('@runlog/server');
});
