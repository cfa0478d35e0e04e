/**
 * MLflow's JSON mapping of doubles: NaN and ±Infinity travel as the strings "NaN", "Infinity", "-Infinity"
 * (plain JSON.stringify would turn them into null, which clients read as 0).
 */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeDouble(value: number): WireDouble {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** Returns undefined for anything that is not a number or one of MLflow's spellings of a double. */
export function decodeDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toLowerCase()) {
    case 'nan':
      return NaN;
    case 'infinity':
    case 'inf':
      return Infinity;
    case '-infinity':
    case '-inf':
      return -Infinity;
    default: {
      if (value.trim() === '') return undefined;
      const n = Number(value);
      return Number.isNaN(n) ? undefined : n;
    }
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? encodeDouble(value) : value;
}

/** JSON.stringify with MLflow's double encoding. */
export function stringifyWire(value: unknown): string {
  return JSON.stringify(value, replacer);
}

function reviver(key: string, value: unknown): unknown {
  if (key === 'value' && (value === 'NaN' || value === 'Infinity' || value === '-Infinity')) {
    return decodeDouble(value);
  }
  return value;
}

/** JSON.parse that turns encoded metric values back into numbers. Only `value` keys are touched. */
export function parseWire(text: string): unknown {
  return JSON.parse(text, reviver);
}

/** A response body already serialised (hot paths build their JSON by hand). */
export class RawJson {
  constructor(readonly text: string) {}
}

function doubleJson(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${String(encodeDouble(value))}"`;
}

/** `[{"key":…,"value":…,"timestamp":…,"step":…}, …]` without a replacer walking every value. */
export function metricsJson(metrics: readonly { key: string; value: number; timestamp: number; step: number; run_id?: string }[]): string {
  const parts: string[] = new Array<string>(metrics.length);
  let lastKey = '';
  let keyJson = '""';
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i];
    if (!m) continue;
    if (m.key !== lastKey) {
      lastKey = m.key;
      keyJson = JSON.stringify(m.key);
    }
    const runPart = m.run_id === undefined ? '' : `,"run_id":${JSON.stringify(m.run_id)}`;
    parts[i] = `{"key":${keyJson},"value":${doubleJson(m.value)},"timestamp":${m.timestamp},"step":${m.step}${runPart}}`;
  }
  return `[${parts.join(',')}]`;
}

/** The body of a metric-history page: `{"metrics":[…],"next_page_token":"…"}`, empty parts omitted. */
export function metricHistoryBody(items: Parameters<typeof metricsJson>[0], nextPageToken?: string): string {
  const parts: string[] = [];
  if (items.length > 0) parts.push(`"metrics":${metricsJson(items)}`);
  if (nextPageToken) parts.push(`"next_page_token":${JSON.stringify(nextPageToken)}`);
  return `{${parts.join(',')}}`;
}
