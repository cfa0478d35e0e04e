import { describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { compileSpace, drawVals, evaluateSpace, flattenParams, hp } from './space.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RunlogError);
    return `${(err as RunlogError).errorCode}: ${(err as RunlogError).message}`;
  }
  throw new Error('expected a RunlogError');
}

describe('compileSpace', () => {
  it('refuses empty and malformed spaces with a message naming the culprit', () => {
    expect(codeOf(() => compileSpace({}))).toMatch(/^INVALID_PARAMETER_VALUE: .*no hp\.\* expression/);
    expect(codeOf(() => compileSpace({ a: 1, b: [true, 'x'] }))).toMatch(/no hp\.\* expression/);
    expect(codeOf(() => compileSpace({ lr: hp.uniform('lr', 1, 1) }))).toMatch(/'lr': low must be < high/);
    expect(codeOf(() => compileSpace({ lr: hp.quniform('d', 1, 5, 0) }))).toMatch(/'d': q must be > 0/);
    expect(codeOf(() => compileSpace({ x: hp.normal('x', 0, -1) }))).toMatch(/'x': sigma must be > 0/);
    expect(codeOf(() => compileSpace({ x: hp.choice('c', []) }))).toMatch(/'c': hp.choice needs at least one option/);
    expect(codeOf(() => compileSpace({ x: hp.randint('r', 2.5) }))).toMatch(/'r': hp.randint needs integer bounds/);
    expect(codeOf(() => compileSpace({ x: hp.uniform('x', Number.NaN, 1) }))).toMatch(/low must be a finite number/);
    expect(codeOf(() => compileSpace({ a: hp.uniform('x', 0, 1), b: hp.uniform('x', 0, 2) }))).toMatch(/label 'x' is used by two/);
    expect(codeOf(() => compileSpace({ a: hp.uniform('x', 0, 1), f: () => 1 }))).toMatch(/^INVALID_PARAMETER_VALUE: .*f is function/);
    expect(codeOf(() => compileSpace({ a: hp.uniform('x', 0, 1), d: new Date(0) }))).toMatch(/d is object/);
    expect(codeOf(() => compileSpace({ a: hp.uniform('', 0, 1) }))).toMatch(/label must be a non-empty string/);
  });

  it('accepts one expression used twice (same label, same object)', () => {
    const lr = hp.loguniform('lr', -5, 0);
    expect([...compileSpace({ a: lr, b: [lr] }).labels.keys()]).toEqual(['lr']);
  });
});

describe('conditional spaces', () => {
  const space = {
    model: hp.choice('model', [
      { type: 'linear', alpha: hp.loguniform('alpha', -5, 2) },
      { type: 'trees', depth: hp.quniform('depth', 2, 10, 1), lr: hp.uniform('lr', 0.01, 0.3) },
    ]),
    seed: 42,
  };

  it('draws only the labels the choices make active, and evaluates them to the value the objective gets', () => {
    const linear = drawVals(space, (e) => (e.label === 'model' ? 0 : e.label === 'alpha' ? 0.5 : 99));
    expect(linear).toEqual({ model: 0, alpha: 0.5 });
    expect(evaluateSpace(space, linear)).toEqual({ model: { type: 'linear', alpha: 0.5 }, seed: 42 });
    const trees = drawVals(space, (e) => (e.label === 'model' ? 1 : 3));
    expect(trees).toEqual({ model: 1, depth: 3, lr: 3 });
    expect(flattenParams(evaluateSpace(space, trees))).toEqual({ 'model.type': 'trees', 'model.depth': '3', 'model.lr': '3', seed: '42' });
  });

  it('refuses vals that miss an active label or pick a missing option', () => {
    expect(codeOf(() => evaluateSpace(space, { model: 1, depth: 3 }))).toMatch(/no value for the active label 'lr'/);
    expect(codeOf(() => evaluateSpace(space, { model: 2 }))).toMatch(/'model' has no option 2/);
  });

  it('flattens arrays and bare values', () => {
    expect(flattenParams([1, { a: null }])).toEqual({ '0': '1', '1.a': 'None' });
    expect(flattenParams(0.5)).toEqual({ value: '0.5' });
  });
});
