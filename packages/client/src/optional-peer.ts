/**
 * The heavy ML runtimes (onnxruntime-node, @tensorflow/tfjs) are optional peer dependencies of the SDK: only
 * the flavors that use them load them, and a missing one is named with the command that installs it instead of
 * Node's bare "Cannot find package".
 */
import { RunlogError } from '@runlog/core';

function isMissing(err: unknown, name: string): boolean {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && (err as Error).message.includes(name);
}

function missingPeer(name: string, usedBy: string): RunlogError {
  return new RunlogError('NOT_IMPLEMENTED', `${usedBy} needs the optional package '${name}', which is not installed: run npm install ${name}`);
}

/** `load()` (an `import()` of `name`), with a missing package reported as such. */
export async function importPeer<T>(name: string, usedBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw isMissing(err, name) ? missingPeer(name, usedBy) : err;
  }
}

/** `load()` (a `require` of `name`), with a missing package reported as such. */
export function requirePeer<T>(name: string, usedBy: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    throw isMissing(err, name) ? missingPeer(name, usedBy) : err;
  }
}
