/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what `array_recv` reads). node-postgres sends a
 * Buffer parameter as binary, so a metric column goes out without printing 1000 doubles as text and the
 * server reads it without parsing them back. Written through a DataView: its setters compile to plain stores,
 * about five times faster than Buffer's writeInt32BE family here.
 */

const OID = { int2: 21, int8: 20, text: 25, float8: 701 } as const;
const HEADER = 20; // ndim, has-nulls flag, element oid, then length and lower bound of the one dimension
const TWO_32 = 4294967296;

function withHeader(size: number, oid: number, n: number): { buf: Buffer; view: DataView } {
  const buf = Buffer.allocUnsafe(HEADER + size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  view.setInt32(0, 1);
  view.setInt32(4, 0);
  view.setInt32(8, oid);
  view.setInt32(12, n);
  view.setInt32(16, 1);
  return { buf, view };
}

/** int8[] from safe integers (negative ones included: the high word carries the sign). */
export function int8Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const { buf, view } = withHeader(items.length * 12, OID.int8, items.length);
  let o = HEADER;
  for (const item of items) {
    const v = get(item);
    const hi = Math.floor(v / TWO_32);
    view.setInt32(o, 8);
    view.setInt32(o + 4, hi);
    view.setUint32(o + 8, v - hi * TWO_32);
    o += 12;
  }
  return buf;
}

/** float8[]; ±Infinity travel as IEEE 754 like any other value. */
export function float8Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const { buf, view } = withHeader(items.length * 12, OID.float8, items.length);
  let o = HEADER;
  for (const item of items) {
    view.setInt32(o, 8);
    view.setFloat64(o + 4, get(item));
    o += 12;
  }
  return buf;
}

export function int2Array<T>(items: readonly T[], get: (item: T) => number): Buffer {
  const { buf, view } = withHeader(items.length * 6, OID.int2, items.length);
  let o = HEADER;
  for (const item of items) {
    view.setInt32(o, 2);
    view.setInt16(o + 4, get(item));
    o += 6;
  }
  return buf;
}

/**
 * text[] as UTF-8. Sized for the worst case (3 bytes per UTF-16 unit), then trimmed to what was written.
 * Metric keys are ASCII in practice, so those bytes are copied directly; anything else goes through the encoder.
 */
export function textArray<T>(items: readonly T[], get: (item: T) => string): Buffer {
  let bound = 0;
  for (const item of items) bound += 4 + 3 * get(item).length;
  const { buf, view } = withHeader(bound, OID.text, items.length);
  let o = HEADER;
  for (const item of items) {
    const s = get(item);
    let len = s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        len = buf.write(s, o + 4, 'utf8');
        break;
      }
      buf[o + 4 + i] = c;
    }
    view.setInt32(o, len);
    o += 4 + len;
  }
  return buf.subarray(0, o);
}
