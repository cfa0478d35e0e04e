/**
 * `models:/` URIs as MLflow's client parses them (`_parse_model_uri`): `models:/<name>/<version>`,
 * `models:/<name>/<stage>`, `models:/<name>/latest`, `models:/<name>@<alias>`, each optionally followed by
 * a path inside the model when downloading.
 */
import { RunlogError } from '../errors.js';

export type ModelReference =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'stage'; stage: string }
  | { name: string; kind: 'latest' };

export interface ParsedModelUri {
  ref: ModelReference;
  /** Path inside the model's artifacts ('' for the model's root). */
  subPath: string;
}

function improper(uri: string): RunlogError {
  return RunlogError.invalidParameter(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/model_name/suffix' or 'models:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can be defined at a time.`,
  );
}

export function isModelUri(uri: string): boolean {
  return /^models:/i.test(uri);
}

/** Parses a `models:/` URI; with `allowSubPath` the part after the model reference is returned as `subPath`. */
export function parseModelUri(uri: string, allowSubPath = false): ParsedModelUri {
  if (!isModelUri(uri)) throw improper(uri);
  let rest = uri.slice('models:'.length);
  if (!rest.startsWith('/') || rest.startsWith('//')) throw improper(uri);
  rest = rest.slice(1);
  const segments = rest.split('/');
  const first = segments[0] ?? '';
  const at = first.indexOf('@');
  if (at >= 0) {
    const name = first.slice(0, at);
    const alias = first.slice(at + 1);
    if (name === '' || alias === '') throw improper(uri);
    const sub = segments.slice(1);
    if (sub.length > 0 && !allowSubPath) throw improper(uri);
    return { ref: { name, kind: 'alias', alias }, subPath: sub.filter((s) => s !== '').join('/') };
  }
  const [name, suffix, ...sub] = segments;
  if (name === undefined || name === '' || suffix === undefined || suffix === '') throw improper(uri);
  if (sub.length > 0 && !allowSubPath) throw improper(uri);
  const subPath = sub.filter((s) => s !== '').join('/');
  if (/^\d+$/.test(suffix)) return { ref: { name, kind: 'version', version: Number(suffix) }, subPath };
  if (suffix.toLowerCase() === 'latest') return { ref: { name, kind: 'latest' }, subPath };
  return { ref: { name, kind: 'stage', stage: suffix }, subPath };
}

export function formatModelReference(ref: ModelReference): string {
  switch (ref.kind) {
    case 'version':
      return `models:/${ref.name}/${ref.version}`;
    case 'alias':
      return `models:/${ref.name}@${ref.alias}`;
    case 'stage':
      return `models:/${ref.name}/${ref.stage}`;
    case 'latest':
      return `models:/${ref.name}/latest`;
  }
}
