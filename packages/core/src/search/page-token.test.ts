import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { decodePageToken, encodePageToken } from './page-token.js';

function expectInvalidToken(token: string): void {
  let thrown: unknown;
  try {
    decodePageToken(token);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RunlogError);
  expect((thrown as RunlogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
  expect((thrown as RunlogError).message).toContain('Invalid page token');
}

describe('page tokens', () => {
  it('encodes exactly as the reference server does', () => {
    expect(encodePageToken(1)).toBe('eyJvZmZzZXQiOiAxfQ==');
    expect(atob(encodePageToken(1000))).toBe('{"offset": 1000}');
  });

  it('round-trips offsets', () => {
    for (const offset of [0, 1, 7, 1000, 50000, Number.MAX_SAFE_INTEGER]) {
      expect(decodePageToken(encodePageToken(offset))).toBe(offset);
    }
  });

  it('decodes a token recorded from the reference server', () => {
    expect(decodePageToken('eyJvZmZzZXQiOiAxfQ==')).toBe(1);
  });

  it('treats a missing or empty token as the first page', () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it('rejects offsets it cannot encode', () => {
    expect(() => encodePageToken(-1)).toThrow(RangeError);
    expect(() => encodePageToken(1.5)).toThrow(RangeError);
  });

  const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

  it.each([
    ['not base64', '!!!not base64!!!'],
    ['truncated base64', 'eyJvZmZzZXQiOiAxfQ=x'],
    ['invalid UTF-8', btoa('\xff\xfe')],
    ['not JSON', b64('offset=1')],
    ['JSON null', b64('null')],
    ['JSON array', b64('[1]')],
    ['JSON number', b64('1')],
    ['missing offset', b64('{"start": 1}')],
    ['string offset', b64('{"offset": "1"}')],
    ['negative offset', b64('{"offset": -1}')],
    ['fractional offset', b64('{"offset": 1.5}')],
    ['huge offset', b64('{"offset": 1e300}')],
    ['null offset', b64('{"offset": null}')],
  ])('rejects a token that is %s', (_label, token) => {
    expectInvalidToken(token);
  });
});
