import { RunlogError } from '../errors.js';

/** A parse problem, phrased without context; `withContext` prefixes the text being parsed. */
export function problem(message: string): RunlogError {
  return RunlogError.invalidParameter(message);
}

/** Runs `parse`, prefixing `context` to any problem it reports so every message names its input. */
export function withContext<T>(context: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RunlogError) throw RunlogError.invalidParameter(`${context}: ${error.message}`);
    throw error;
  }
}
