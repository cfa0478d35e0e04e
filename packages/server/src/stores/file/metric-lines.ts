/** Metric files: one `timestamp value step` line per point, the value printed as Python prints a float. */
import type { Metric } from '@runlog/core';

/** Python's `str(float)`: shortest round-trip digits, `.0` on integral values, exponent below 1e-4 and from 1e16. */
export function pythonFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0.0';
  const [mantissa = '0', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const fixed = v.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** Python's `float(text)` for what a metric file holds (nan, inf, Infinity, decimal and exponent forms). */
export function parsePythonFloat(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`not a number: '${text}'`);
  return v;
}

export function metricLine(m: Metric): string {
  return `${m.timestamp} ${pythonFloat(m.value)} ${m.step}\n`;
}

/**
 * Every point of a metric file. Writers append whole lines ending in a newline, so text after the last newline
 * is a line still being written (another process mid-append) and is left for the next read.
 */
export function parseMetricLines(key: string, text: string): Metric[] {
  const out: Metric[] = [];
  const lines = text.split('\n');
  lines.pop();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2 && parts.length !== 3) {
      throw new Error(`Metric '${key}' is malformed; persisted metric data contained ${parts.length} fields. Expected 2 or 3 fields.`);
    }
    out.push({ key, timestamp: Number(parts[0]), value: parsePythonFloat(parts[1] ?? ''), step: parts.length === 3 ? Number(parts[2]) : 0 });
  }
  return out;
}

/** Ordering of points by (step, timestamp, value), NaN counted as 0 like the SQL store's latest-value rule. */
export function comparePoints(a: Metric, b: Metric): number {
  const va = Number.isNaN(a.value) ? 0 : a.value;
  const vb = Number.isNaN(b.value) ? 0 : b.value;
  return a.step - b.step || a.timestamp - b.timestamp || (va < vb ? -1 : va > vb ? 1 : 0);
}

export function latestPoint(points: readonly Metric[]): Metric | undefined {
  let best: Metric | undefined;
  for (const p of points) if (!best || comparePoints(p, best) > 0) best = p;
  return best;
}
