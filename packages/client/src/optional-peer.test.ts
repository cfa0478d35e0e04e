import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { importPeer, requirePeer } from './optional-peer.js';

// A variable specifier: the package must not exist, and the compiler must not look for it.
const ABSENT: string = 'runlog-test-absent-package';

describe('optional peer dependencies', () => {
  it('names the package to install when import() cannot find it', async () => {
    await expect(importPeer(ABSENT, 'The test flavor', () => import(ABSENT))).rejects.toMatchObject({
      errorCode: 'NOT_IMPLEMENTED',
      message: `The test flavor needs the optional package '${ABSENT}', which is not installed: run npm install ${ABSENT}`,
    });
  });

  it('names the package to install when require cannot find it', () => {
    expect(() => requirePeer(ABSENT, 'autolog', () => createRequire(import.meta.url)(ABSENT) as unknown)).toThrow(
      `run npm install ${ABSENT}`,
    );
  });

  it('returns the module when present and passes other failures through', async () => {
    const fsModule = await importPeer('node:fs', 'x', () => import('node:fs'));
    expect(typeof fsModule.readFileSync).toBe('function');
    await expect(importPeer('yaml', 'x', () => Promise.reject(new Error('broken build')))).rejects.toThrow('broken build');
  });
});
