import { describe, expect, it } from 'vitest';
import { RunlogError } from '../errors.js';
import { formatModelReference, parseModelUri } from './model-uri.js';
import { classifyModelVersionSource } from './model-source.js';
import { parseStage, registeredModelNameKey, validateAlias } from './validation.js';

describe('models:/ URIs', () => {
  it('parses versions, aliases, stages and latest, with sub paths when allowed', () => {
    expect(parseModelUri('models:/m/3').ref).toEqual({ name: 'm', kind: 'version', version: 3 });
    expect(parseModelUri('models:/m@champion').ref).toEqual({ name: 'm', kind: 'alias', alias: 'champion' });
    expect(parseModelUri('models:/m/Production').ref).toEqual({ name: 'm', kind: 'stage', stage: 'Production' });
    expect(parseModelUri('models:/m/LATEST').ref).toEqual({ name: 'm', kind: 'latest' });
    expect(parseModelUri('models:/m/3/a/b.onnx', true)).toEqual({ ref: { name: 'm', kind: 'version', version: 3 }, subPath: 'a/b.onnx' });
    expect(parseModelUri('models:/m@c/x', true).subPath).toBe('x');
    expect(formatModelReference(parseModelUri('models:/m@c').ref)).toBe('models:/m@c');
  });

  it.each([['models:/m'], ['models:/'], ['models:/@a'], ['models:/m@'], ['models://m/1'], ['models:/m/1/extra'], ['runs:/r/m']])(
    'refuses %s',
    (uri) => {
      expect(() => parseModelUri(uri)).toThrow(RunlogError);
    },
  );
});

describe('registry validation', () => {
  it('canonicalises stages in any case and refuses others', () => {
    expect(parseStage('staging')).toBe('Staging');
    expect(parseStage('NONE')).toBe('None');
    expect(() => parseStage('Deleted_Internal')).toThrow(RunlogError);
  });

  it('reserves latest and v<digits> aliases', () => {
    for (const alias of ['latest', 'Latest', 'v1', 'V42', '', 'a.b', 'a b']) expect(() => validateAlias(alias)).toThrow(RunlogError);
    for (const alias of ['champion', 'v1a', 'prod-2', 'x_y']) expect(() => validateAlias(alias)).not.toThrow();
  });

  it('compares model names after percent-decoding and NFC normalisation', () => {
    expect(registeredModelNameKey('my%2Dmodel')).toBe('my-model');
    expect(registeredModelNameKey('my%252Dmodel')).toBe('my-model');
    expect(registeredModelNameKey('cafe\u0301')).toBe('caf\u00e9');
    expect(registeredModelNameKey('bad%E0%A4%A')).toBeUndefined();
  });
});

describe('model-version source classification', () => {
  it('classifies the accepted forms and normalises what it returns', () => {
    expect(classifyModelVersionSource('runs:/abc/model//x')).toEqual({ kind: 'runs', runId: 'abc', path: 'model/x' });
    expect(classifyModelVersionSource('models:/m@a')).toEqual({ kind: 'models', ref: { name: 'm', kind: 'alias', alias: 'a' } });
    expect(classifyModelVersionSource('mlflow-artifacts://host:5000/0/r/artifacts/model')).toEqual({ kind: 'proxied', path: '0/r/artifacts/model' });
    expect(classifyModelVersionSource('file:///data/mlruns/0/r/artifacts/m')).toEqual({ kind: 'local', path: '/data/mlruns/0/r/artifacts/m' });
    expect(classifyModelVersionSource('s3://bucket/a//b')).toEqual({ kind: 'store', uri: 's3://bucket/a/b' });
  });

  it.each([
    ['file://./etc'],
    ['../x'],
    ['http://h/x'],
    ['s3://b/a/%2e%2e/c'],
    ['mlflow-artifacts:/a?b'],
    ['mlflow-artifacts:/a%23b'],
    ['gs://b/x'],
    ['C:\\x'],
  ])('refuses %s', (source) => {
    expect(() => classifyModelVersionSource(source)).toThrow(RunlogError);
  });
});
