import { describe, expect, it } from 'vitest';
import { float8Array, int2Array, int8Array, textArray } from './pg-binary.js';

/** Reads back what array_recv would: the header, then (length, bytes) per element. */
function elements(buf: Buffer): { oid: number; items: Buffer[] } {
  expect(buf.readInt32BE(0)).toBe(1); // one dimension
  expect(buf.readInt32BE(4)).toBe(0); // no nulls
  const n = buf.readInt32BE(12);
  expect(buf.readInt32BE(16)).toBe(1); // lower bound
  const items: Buffer[] = [];
  let o = 20;
  for (let i = 0; i < n; i++) {
    const len = buf.readInt32BE(o);
    items.push(buf.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  expect(o).toBe(buf.length);
  return { oid: buf.readInt32BE(8), items };
}

const id = <T>(v: T): T => v;

describe('PostgreSQL binary arrays', () => {
  it('int8[] carries every safe integer, negative ones as two’s complement', () => {
    const values = [0, 1, -1, 2 ** 32, -(2 ** 32) - 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const { oid, items } = elements(int8Array(values, id));
    expect(oid).toBe(20);
    expect(items.map((b) => Number(b.readBigInt64BE(0)))).toEqual(values);
  });

  it('float8[] keeps ±Infinity, -0 and subnormals bit for bit', () => {
    const values = [0.1, -0, Infinity, -Infinity, 5e-324, Number.MAX_VALUE];
    const { oid, items } = elements(float8Array(values, id));
    expect(oid).toBe(701);
    expect(items.map((b) => b.readDoubleBE(0))).toEqual(values);
  });

  it('int2[] and text[] (UTF-8, multi-byte and empty strings included)', () => {
    const shorts = elements(int2Array([0, 1, -1], id));
    expect(shorts.oid).toBe(21);
    expect(shorts.items.map((b) => b.readInt16BE(0))).toEqual([0, 1, -1]);
    const strings = ['loss', '', 'ünï cödé', '😀/x'];
    const texts = elements(textArray(strings, id));
    expect(texts.oid).toBe(25);
    expect(texts.items.map((b) => b.toString('utf8'))).toEqual(strings);
  });

  it('an empty array is a header with no elements', () => {
    expect(elements(textArray([], id)).items).toEqual([]);
  });
});
