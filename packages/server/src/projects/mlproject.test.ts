import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunlogError } from '@runlog/core';
import { entryPointCommand, parseParamArgs, resolveEntryPoint } from './entry-point-command.js';
import { loadProject, parseMlproject } from './mlproject.js';
import { pythonFloat, shellQuote } from './python-text.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlog-mlproject-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'p-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function errorOf(fn: () => unknown): RunlogError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RunlogError);
    return err as RunlogError;
  }
  throw new Error('expected an error');
}

const MLPROJECT = `name: demo
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.1}
      epochs: {type: int, default: 10}
      ratio: {type: float, default: 1.0}
      small: {type: float, default: 0.00001}
      loose: {default: 1e-3}
      flag: {type: string, default: yes}
      data: path
      name: string
    command: "python train.py --alpha {alpha} --epochs {epochs} --data {data} --name {name} {{literal}}"
  other:
    command: "echo other"
`;

describe('python text', () => {
  it('quotes like shlex.quote', () => {
    expect(shellQuote('plain-value_1.5/x:y@z%+=,')).toBe('plain-value_1.5/x:y@z%+=,');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('hello world')).toBe("'hello world'");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(shellQuote('é')).toBe("'é'");
  });

  it("prints floats like Python's str()", () => {
    expect(pythonFloat(1)).toBe('1.0');
    expect(pythonFloat(0.1)).toBe('0.1');
    expect(pythonFloat(0.00001)).toBe('1e-05');
    expect(pythonFloat(0.0001)).toBe('0.0001');
    expect(pythonFloat(1.5e16)).toBe('1.5e+16');
    expect(pythonFloat(1e15)).toBe('1000000000000000.0');
    expect(pythonFloat(-0)).toBe('-0.0');
    expect(pythonFloat(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(pythonFloat(Number.NaN)).toBe('nan');
  });
});

describe('MLproject', () => {
  it('reads entry points, parameter types and defaults as PyYAML and Python print them', () => {
    const parsed = parseMlproject(MLPROJECT, 'MLproject');
    expect(parsed.name).toBe('demo');
    expect([...parsed.entryPoints.keys()]).toEqual(['main', 'other']);
    const main = parsed.entryPoints.get('main')!;
    expect(main.parameters.map((p) => [p.name, p.type, p.default])).toEqual([
      ['alpha', 'float', '0.1'],
      ['epochs', 'int', '10'],
      ['ratio', 'float', '1.0'],
      ['small', 'float', '1e-05'],
      ['loose', 'string', '1e-3'], // PyYAML reads 1e-3 (no dot) as a string
      ['flag', 'string', 'True'], // YAML 1.1 boolean, printed by Python
      ['data', 'path', undefined],
      ['name', 'string', undefined],
    ]);
    expect(main.parameters[0]?.line).toBe(5);
  });

  it('refuses a malformed file, naming the line', () => {
    expect(errorOf(() => parseMlproject('name: x\nentry_points:\n  main: [\n', 'MLproject')).message).toMatch(/MLproject line \d+:/);
    const badType = errorOf(() => parseMlproject('entry_points:\n  main:\n    parameters:\n      a: {type: double}\n    command: x {a}\n', 'MLproject'));
    expect(badType.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(badType.message).toMatch(/line 4: parameter 'a' has type 'double'/);
    expect(errorOf(() => parseMlproject('entry_points:\n  main:\n    parameters:\n      n: {type: int, default: 1.5}\n    command: x {n}\n', 'M')).message).toMatch(
      /line 4: the default of parameter 'n' is '1.5', which is not of type int/,
    );
    expect(errorOf(() => parseMlproject('entry_points:\n  main:\n    command: "x {nope}"\n', 'M')).message).toMatch(
      /line 3: the command of entry point 'main' uses \{nope\}, which is not one of its parameters/,
    );
    expect(errorOf(() => parseMlproject('entry_points:\n  main:\n    parameters: {}\n', 'M')).message).toMatch(/line 2: entry point 'main' has no command/);
    expect(errorOf(() => parseMlproject('python_env: a.yaml\nconda_env: b.yaml\n', 'M')).message).toMatch(/line 2: a project may name one environment/);
    expect(errorOf(() => parseMlproject('docker_env:\n  volumes: [a]\n', 'M')).message).toMatch(/line 1: docker_env names no image/);
    expect(errorOf(() => parseMlproject('- a\n- b\n', 'M')).message).toMatch(/must be a mapping/);
  });

  it('reads docker_env and ignores keys MLflow does not read', () => {
    const parsed = parseMlproject('name: d\nextra: 1\ndocker_env:\n  image: img:1\n  volumes: ["/a:/b"]\n  environment: [["K", "V"], HOME]\n', 'M');
    expect(parsed.env).toEqual({ type: 'docker_env', docker: { image: 'img:1', volumes: ['/a:/b'], environment: [['K', 'V'], 'HOME'] } });
  });

  it('finds the environment file, and refuses a named one that is missing', () => {
    expect(loadProject(project({ 'python_env.yaml': 'python: "3.11"\n' })).env.type).toBe('python_env');
    expect(loadProject(project({ mlproject: 'conda_env: env.yaml\n', 'env.yaml': '' })).env.type).toBe('conda_env');
    expect(errorOf(() => loadProject(project({ MLproject: 'python_env: missing.yaml\n' }))).message).toMatch(/no such file/);
  });
});

describe('entry point command', () => {
  const dir = project({ MLproject: MLPROJECT, 'data.csv': 'a\n1\n', 'train.py': '', 'run.mjs': '', 'x.sh': '' });
  const main = resolveEntryPoint(loadProject(dir), 'main');

  it('substitutes quoted values, appends extra parameters and lists what MLflow logs', () => {
    const cmd = entryPointCommand(main, parseParamArgs(['data=data.csv', 'name=my run', 'alpha=0.5', 'extra=a=b c']), dir);
    expect(cmd.command).toBe(
      `python train.py --alpha 0.5 --epochs 10 --data ${shellQuote(path.join(dir, 'data.csv'))} --name 'my run' {literal} --extra 'a=b c'`,
    );
    expect(cmd.params).toEqual([
      { key: 'alpha', value: '0.5' },
      { key: 'epochs', value: '10' },
      { key: 'ratio', value: '1.0' },
      { key: 'small', value: '1e-05' },
      { key: 'loose', value: '1e-3' },
      { key: 'flag', value: 'True' },
      { key: 'data', value: 'data.csv' },
      { key: 'name', value: "'my run'" },
      { key: 'extra', value: "'a=b c'" },
    ]);
  });

  it('refuses missing, mistyped and nonexistent-path parameters', () => {
    expect(errorOf(() => entryPointCommand(main, parseParamArgs(['data=data.csv']), dir)).message).toMatch(/missing parameters .*'name'/);
    expect(errorOf(() => entryPointCommand(main, parseParamArgs(['data=data.csv', 'name=x', 'epochs=ten']), dir)).message).toMatch(
      /Parameter 'epochs' \(MLproject line 6\) is of type int, but got 'ten'/,
    );
    expect(errorOf(() => entryPointCommand(main, parseParamArgs(['data=nope.csv', 'name=x']), dir)).message).toMatch(
      /'nope.csv' for parameter 'data', but no such file or directory/,
    );
    expect(errorOf(() => parseParamArgs(['novalue'])).message).toMatch(/Use -P name=value/);
    expect(errorOf(() => parseParamArgs(['a=1', 'a=2'])).message).toMatch(/Repeated parameter: 'a'/);
  });

  it('runs a script file by its extension, and refuses an unknown entry point', () => {
    const p = loadProject(dir);
    expect(resolveEntryPoint(p, 'train.py').command).toBe('python train.py');
    expect(resolveEntryPoint(p, 'run.mjs').command).toBe('node run.mjs');
    expect(resolveEntryPoint(p, 'x.sh', { SHELL: '/bin/zsh' }).command).toBe('/bin/zsh x.sh');
    expect(errorOf(() => resolveEntryPoint(p, 'missing.py')).message).toMatch(/no such entry point or file/);
    expect(errorOf(() => resolveEntryPoint(p, 'nope')).message).toMatch(/Unknown entry point 'nope': the project declares 'main', 'other'/);
  });
});
