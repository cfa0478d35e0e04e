/**
 * log-batch's `metrics` field, validated by hand: up to 1000 elements per request on the ingest hot path,
 * where a generic zod array schema cost twice the JSON parse (0.7 ms per 1000 metrics). Same rules and
 * messages as the field types in fields.ts.
 */
import { z } from 'zod';
import type { Metric } from '../entities.js';
import { decodeDouble } from '../wire-json.js';
import { invalidValue, missingValue } from './request-errors.js';

const INTEGER_TEXT = /^\s*-?\d+\s*$/;

function toInt64(value: unknown, name: string): number {
  const n = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalidValue(name, value, 'expected an integer');
  return n;
}

function parseMetric(item: unknown, i: number): Metric {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw invalidValue(`metrics[${i}]`, item, 'expected an object');
  }
  const m = item as Record<string, unknown>;
  if (m.key === undefined || m.key === null || m.key === '') throw missingValue(`metrics[${i}].key`);
  if (typeof m.key !== 'string') throw invalidValue(`metrics[${i}].key`, m.key, 'expected a string');
  if (m.value === undefined || m.value === null) throw missingValue(`metrics[${i}].value`);
  const value = typeof m.value === 'number' ? m.value : decodeDouble(m.value);
  if (value === undefined) throw invalidValue(`metrics[${i}].value`, m.value, 'expected a number');
  if (m.timestamp === undefined || m.timestamp === null) throw missingValue(`metrics[${i}].timestamp`);
  const timestamp = toInt64(m.timestamp, `metrics[${i}].timestamp`);
  const step = m.step === undefined || m.step === null ? 0 : toInt64(m.step, `metrics[${i}].step`);
  return { key: m.key, value, timestamp, step };
}

export const metricList = z.unknown().optional().transform((value): Metric[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue('metrics', value, 'expected an array');
  const out = new Array<Metric>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = parseMetric(value[i], i);
  return out;
});
