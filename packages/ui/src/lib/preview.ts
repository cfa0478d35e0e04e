/** How an artifact is previewed, from its name (pure, tested). */
export type PreviewKind = 'image' | 'svg' | 'html' | 'json' | 'csv' | 'tsv' | 'mlmodel' | 'yaml' | 'text' | 'none';

const TEXT = new Set(['txt', 'log', 'md', 'py', 'r', 'sh', 'ini', 'toml', 'cfg', 'conf', 'js', 'ts', 'sql', 'xml', 'properties', 'requirements', 'ipynb', 'jsonl', 'err', 'out']);
const IMAGE = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'ico']);

export function previewKind(path: string): PreviewKind {
  const name = path.split('/').pop() ?? path;
  if (name === 'MLmodel') return 'mlmodel';
  if (name === 'MLproject' || name === 'Dockerfile' || name === 'LICENSE') return 'text';
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (IMAGE.has(ext)) return 'image';
  if (ext === 'svg') return 'svg';
  if (ext === 'html' || ext === 'htm') return 'html';
  if (ext === 'json') return 'json';
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv') return 'tsv';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  if (TEXT.has(ext) || ext === '') return 'text';
  return 'none';
}

export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
