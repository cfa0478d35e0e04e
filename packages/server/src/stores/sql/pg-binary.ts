/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what `array_recv` reads). node-postgres sends a
 * Buffer parameter as binary, so a metric column goes out without printing 1000 doubles as text and the
 * server reads it without parsing them back.
 */

const OID = { int2: 21, int8: 20, text: 25, float8: 701 } as const;
const HEADER = 20; // ndim, has-nulls flag, element oid, then length and lower bound of the one dimension
const TWO_32 = 4294967296;

function withHeader(size: number, oid: number, n: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER + size);
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16);
  return buf;
}

/** int8[] from safe integers (negative ones included: the high word carries the sign). */
export function int8Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const buf = withHeader(items.length * 12, OID.int8, items.length);
  let o = HEADER;
  for (const item of items) {
    const v = get(item);
    const hi = Math.floor(v / TWO_32);
    o = buf.writeInt32BE(8, o);
    o = buf.writeInt32BE(hi, o);
    o = buf.writeUInt32BE(v - hi * TWO_32, o);
  }
  return buf;
}

/** float8[]; ±Infinity travel as IEEE 754 like any other value. */
export function float8Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const buf = withHeader(items.length * 12, OID.float8, items.length);
  let o = HEADER;
  for (const item of items) {
    o = buf.writeInt32BE(8, o);
    o = buf.writeDoubleBE(get(item), o);
  }
  return buf;
}

export function int2Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const buf = withHeader(items.length * 6, OID.int2, items.length);
  let o = HEADER;
  for (const item of items) {
    o = buf.writeInt32BE(2, o);
    o = buf.writeInt16BE(get(item), o);
  }
  return buf;
}

/** text[] as UTF-8. Sized for the worst case (3 bytes per UTF-16 unit), then trimmed to what was written. */
export function textArray<T>(items: readonly T[], get: (item: T) => string): Buffer {
  let bound = 0;
  for (const item of items) bound += 4 + 3 * get(item).length;
  const buf = withHeader(bound, OID.text, items.length);
  let o = HEADER;
  for (const item of items) {
    const len = buf.write(get(item), o + 4, 'utf8');
    buf.writeInt32BE(len, o);
    o += 4 + len;
  }
  return buf.subarray(0, o);
}
