/**
 * Search spaces as hyperopt writes them (`hp.choice`, `hp.uniform`, …): a plain value tree (objects, arrays,
 * literals) with labelled distributions in it. A trial is stored as hyperopt stores it, one number per *active*
 * label (a choice's index, a distribution's sampled value); `evaluateSpace` turns that back into the value the
 * objective receives. Labels under an unchosen option are inactive, which is how conditional spaces work.
 */
import { RunlogError } from '@runlog/core';

export type Distribution =
  | { readonly kind: 'choice'; readonly options: readonly unknown[] }
  | { readonly kind: 'uniform' | 'loguniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'quniform' | 'qloguniform'; readonly low: number; readonly high: number; readonly q: number }
  | { readonly kind: 'normal'; readonly mu: number; readonly sigma: number }
  | { readonly kind: 'randint'; readonly low: number; readonly high: number };

/** One labelled distribution in a space; `T` is the type of the value the objective receives for it. */
export class HpExpr<T = unknown> {
  /** Phantom field carrying `T` for `SpaceValue`; never set. */
  declare readonly _value?: T;
  constructor(
    readonly label: string,
    readonly dist: Distribution,
  ) {}
}

/** The value an objective receives for a space. */
export type SpaceValue<S> =
  S extends HpExpr<infer T>
    ? T
    : S extends readonly unknown[]
      ? { -readonly [K in keyof S]: SpaceValue<S[K]> }
      : S extends Record<string, unknown>
        ? { -readonly [K in keyof S]: SpaceValue<S[K]> }
        : S;

/** One trial's point: label → index (choice) or sampled value, for the active labels only. */
export type Vals = Record<string, number>;

/** hyperopt's `hp` module. Bounds of the log distributions are in log space, as in hyperopt. */
export const hp = {
  choice: <const O extends readonly unknown[]>(label: string, options: O): HpExpr<SpaceValue<O[number]>> =>
    new HpExpr(label, { kind: 'choice', options }),
  uniform: (label: string, low: number, high: number): HpExpr<number> => new HpExpr(label, { kind: 'uniform', low, high }),
  /** exp(uniform(low, high)). */
  loguniform: (label: string, low: number, high: number): HpExpr<number> => new HpExpr(label, { kind: 'loguniform', low, high }),
  /** round(uniform(low, high) / q) * q. */
  quniform: (label: string, low: number, high: number, q: number): HpExpr<number> =>
    new HpExpr(label, { kind: 'quniform', low, high, q }),
  /** round(exp(uniform(low, high)) / q) * q. */
  qloguniform: (label: string, low: number, high: number, q: number): HpExpr<number> =>
    new HpExpr(label, { kind: 'qloguniform', low, high, q }),
  normal: (label: string, mu: number, sigma: number): HpExpr<number> => new HpExpr(label, { kind: 'normal', mu, sigma }),
  /** An integer in [0, upper), or in [low, upper) with two bounds. */
  randint: (label: string, lowOrUpper: number, upper?: number): HpExpr<number> =>
    new HpExpr(label, { kind: 'randint', low: upper === undefined ? 0 : lowOrUpper, high: upper ?? lowOrUpper }),
};

function invalid(message: string): RunlogError {
  return RunlogError.invalidParameter(`Invalid search space: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkDistribution(e: HpExpr, where: string): void {
  const d = e.dist;
  const finite = (name: string, v: number): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${where}: ${name} must be a finite number, got ${String(v)}.`);
  };
  switch (d.kind) {
    case 'choice':
      if (!Array.isArray(d.options) || d.options.length === 0) throw invalid(`${where}: hp.choice needs at least one option.`);
      return;
    case 'normal':
      finite('mu', d.mu);
      finite('sigma', d.sigma);
      if (d.sigma <= 0) throw invalid(`${where}: sigma must be > 0, got ${d.sigma}.`);
      return;
    case 'randint':
      finite('low', d.low);
      finite('upper', d.high);
      if (!Number.isInteger(d.low) || !Number.isInteger(d.high) || d.high <= d.low) {
        throw invalid(`${where}: hp.randint needs integer bounds with low < upper, got [${d.low}, ${d.high}).`);
      }
      return;
    default:
      finite('low', d.low);
      finite('high', d.high);
      if (d.high <= d.low) throw invalid(`${where}: low must be < high, got low=${d.low}, high=${d.high}.`);
      if (d.kind === 'quniform' || d.kind === 'qloguniform') {
        finite('q', d.q);
        if (d.q <= 0) throw invalid(`${where}: q must be > 0, got ${d.q}.`);
      }
  }
}

/** A validated space: its labelled distributions by label. */
export interface CompiledSpace {
  readonly space: unknown;
  readonly labels: ReadonlyMap<string, HpExpr>;
}

/**
 * Checks a space once, before any trial: at least one `hp.*` expression, valid bounds, unique labels, and only
 * plain objects, arrays and JSON-like literals around them.
 */
export function compileSpace(space: unknown): CompiledSpace {
  const labels = new Map<string, HpExpr>();
  const walk = (node: unknown, path: string): void => {
    if (node instanceof HpExpr) {
      if (typeof node.label !== 'string' || node.label === '') throw invalid(`${path}: the label must be a non-empty string.`);
      const where = `'${node.label}'`;
      const seen = labels.get(node.label);
      if (seen !== undefined && seen !== node) throw invalid(`the label ${where} is used by two expressions; labels must be unique.`);
      checkDistribution(node, where);
      labels.set(node.label, node);
      if (node.dist.kind === 'choice') node.dist.options.forEach((o, i) => walk(o, `${path}<${node.label}[${i}]>`));
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}.${k}`);
      return;
    }
    if (node === null || typeof node === 'string' || typeof node === 'boolean' || (typeof node === 'number' && Number.isFinite(node))) return;
    throw invalid(`${path === '' ? 'the space' : path} is ${typeof node === 'number' ? String(node) : typeof node}; use plain objects, arrays, finite numbers, strings, booleans, null and hp.* expressions.`);
  };
  walk(space, '');
  if (labels.size === 0) throw invalid('it has no hp.* expression to search over.');
  return { space, labels };
}

/**
 * Walks the space choosing a value for each active label with `pick` (called once per label reached), and
 * returns the trial's vals.
 */
export function drawVals(space: unknown, pick: (expr: HpExpr) => number): Vals {
  const vals: Vals = {};
  const walk = (node: unknown): void => {
    if (node instanceof HpExpr) {
      if (node.label in vals) return;
      const v = pick(node);
      vals[node.label] = v;
      if (node.dist.kind === 'choice') walk(node.dist.options[v]);
    } else if (Array.isArray(node)) {
      for (const v of node) walk(v);
    } else if (isPlainObject(node)) {
      for (const v of Object.values(node)) walk(v);
    }
  };
  walk(space);
  return vals;
}

/** The value the objective receives for `vals` (which must hold every label the choices make active). */
export function evaluateSpace(space: unknown, vals: Readonly<Vals>): unknown {
  const walk = (node: unknown): unknown => {
    if (node instanceof HpExpr) {
      const v = vals[node.label];
      if (v === undefined) throw invalid(`no value for the active label '${node.label}'.`);
      if (node.dist.kind !== 'choice') return v;
      if (!Number.isInteger(v) || v < 0 || v >= node.dist.options.length) throw invalid(`'${node.label}' has no option ${v}.`);
      return walk(node.dist.options[v]);
    }
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(space);
}

/** A leaf as a param value; null as Python's str(None), as the course's `log_params(params)` writes it. */
function scalarText(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? typeof v;
}

/**
 * The objective's value as run params: leaves by dotted path (`model.max_depth`, `layers.0`); a bare value is
 * `value`. Objects and arrays are flattened, so what is logged is what the objective received.
 */
export function flattenParams(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, path === '' ? String(i) : `${path}.${i}`));
    else if (isPlainObject(node)) for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}.${k}`);
    else out[path === '' ? 'value' : path] = scalarText(node);
  };
  walk(value, '');
  return out;
}
