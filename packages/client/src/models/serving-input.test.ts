import { describe, expect, it } from 'vitest';
import { parseScoringCsv, parseScoringJson, scoringContentType } from './serving-input.js';
import { enforceParams, enforceSchema, inferSignature, signatureToText } from './signature.js';

describe('scoring payloads', () => {
  it('accepts JSON and CSV content types, with only a utf-8 charset', () => {
    expect(scoringContentType('application/json')).toBe('json');
    expect(scoringContentType('Application/JSON; charset=UTF-8')).toBe('json');
    expect(scoringContentType('text/csv;charset="utf-8"')).toBe('csv');
    for (const refused of [undefined, 'text/plain', 'application/json; charset=latin-1', 'text/csv; header=present', 'application/jsonx']) {
      expect(scoringContentType(refused), String(refused)).toBeUndefined();
    }
  });

  it('parses the four JSON forms into model input, with params', () => {
    expect(parseScoringJson('{"dataframe_split": {"data": [[1, 2]]}, "params": {"k": 1}}')).toEqual({
      input: { kind: 'dataframe', columns: ['0', '1'], rows: [[1, 2]] },
      params: { k: 1 },
    });
    expect(parseScoringJson('{"dataframe_records": [{"a": 1}, {"b": 2}]}').input).toEqual({ kind: 'dataframe', columns: ['a', 'b'], rows: [[1, null], [null, 2]] });
    expect(parseScoringJson('{"instances": [[1], [2]]}').input).toEqual({ kind: 'tensor', data: [[1], [2]] });
    expect(parseScoringJson('{"inputs": {"x": [1]}}').input).toEqual({ kind: 'tensors', data: { x: [1] } });
    expect(() => parseScoringJson('{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}')).toThrow(/1 values/);
    expect(() => parseScoringJson('{"inputs": [1], "params": [1]}')).toThrow(/params/);
  });

  it('parses CSV with quoted fields, CRLF and numbers', () => {
    expect(parseScoringCsv('name,x\r\n"a, ""b""",1.5\r\nc,\r\n').input).toEqual({
      kind: 'dataframe',
      columns: ['name', 'x'],
      rows: [['a, "b"', 1.5], ['c', null]],
    });
    expect(() => parseScoringCsv('a,b\n1\n')).toThrow(/2 fields/);
    expect(() => parseScoringCsv('a\n"open\n')).toThrow(/unterminated/);
  });
});

describe('signatures', () => {
  it("encodes specs as MLflow does (json.dumps separators, ColSpec key order) and params with defaults", () => {
    const text = signatureToText(inferSignature([{ ok: true, n: 1, x: 0.5, s: 'a' }], [[1.5]], { temperature: 0.7 }));
    expect(text.inputs).toBe(
      '[{"type": "boolean", "name": "ok", "required": true}, {"type": "long", "name": "n", "required": true}, ' +
        '{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "s", "required": true}]',
    );
    expect(text.outputs).toBe('[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 1]}}]');
    expect(text.params).toBe('[{"name": "temperature", "type": "double", "default": 0.7, "shape": null}]');
  });

  it('casts CSV strings to the column types and keeps only declared params', () => {
    const schema = [
      { type: 'long', name: 'n', required: true },
      { type: 'boolean', name: 'b', required: true },
    ];
    expect(enforceSchema({ kind: 'dataframe', columns: ['b', 'n', 'extra'], rows: [['true', '3', 'x']] }, schema)).toEqual({
      kind: 'dataframe',
      columns: ['n', 'b'],
      rows: [[3, true]],
    });
    expect(enforceParams({ t: 1, other: 2 }, [{ name: 't', type: 'long', default: 0, shape: null }])).toEqual({ t: 1 });
    expect(enforceParams(undefined, [{ name: 't', type: 'long', default: 5, shape: null }])).toEqual({ t: 5 });
  });
});
