import { RunlogError } from '../errors.js';

// The same bytes as MLflow's `base64(json.dumps({"offset": N}))`, so tokens are interchangeable.
export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`page offset must be a non-negative integer, got ${offset}`);
  const bytes = new TextEncoder().encode(`{"offset": ${offset}}`);
  return btoa(String.fromCharCode(...bytes));
}

/** The offset a page token stands for; no token means the first page. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === null || token === '') return 0;
  if (typeof token !== 'string') throw RunlogError.invalidParameter('Invalid page token: expected a string');
  const invalid = (problem: string): RunlogError => RunlogError.invalidParameter(`Invalid page token '${token}': ${problem}`);

  let text: string;
  try {
    const binary = atob(token);
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw invalid('could not base64-decode');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('decoded value is not JSON');
  }
  const offset = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).offset : undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalid('offset must be a non-negative integer');
  }
  return offset;
}
