/**
 * Training for the example's models on sparse one-hot rows (two non-zeros per trip): ridge regression by its
 * normal equations, and gradient-boosted regression trees as xgboost grows them for squared error (gradient
 * statistics per histogram bin, gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaves −G/(H+λ) times the
 * learning rate, min_child_weight on the hessian). Written here rather than taken from npm: the few JS
 * gradient-boosting packages are unmaintained or native, and ~150 lines keep the example self-contained.
 */
import type { SparseRow } from './dict-vectorizer.mjs';
import { predictTrees, type LinearState, type Tree, type TreesState } from './regression-models.mjs';

/** Ridge regression (unpenalised intercept) solved by Cholesky. */
export function fitLinear(rows: readonly SparseRow[], y: readonly number[], width: number, alpha: number): LinearState {
  const d = width + 1; // last column: intercept
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  rows.forEach((r, n) => {
    const cols = [...r.cols, width];
    const vals = [...r.vals, 1];
    cols.forEach((ci, i) => {
      b[ci] = (b[ci] as number) + (vals[i] as number) * (y[n] as number);
      cols.forEach((cj, j) => (a[ci * d + cj] = (a[ci * d + cj] as number) + (vals[i] as number) * (vals[j] as number)));
    });
  });
  for (let i = 0; i < width; i++) a[i * d + i] = (a[i * d + i] as number) + alpha;
  a[width * d + width] = (a[width * d + width] as number) + 1e-9;
  // Cholesky: a = L Lᵀ, then two triangular solves.
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      l[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / (l[j * d + j] as number);
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * d + k] as number) * (z[k] as number);
    z[i] = s / (l[i * d + i] as number);
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let k = i + 1; k < d; k++) s -= (l[k * d + i] as number) * (w[k] as number);
    w[i] = s / (l[i * d + i] as number);
  }
  return { kind: 'linear', intercept: w[width] as number, weights: Array.from(w.subarray(0, width)) };
}

export interface GbtParams {
  max_depth: number;
  learning_rate: number;
  min_child_weight: number;
  reg_lambda: number;
  num_boost_round: number;
}

const MAX_BINS = 32;

/** Split candidates per feature: 0.5 for one-hot columns, up to 31 quantiles for numeric ones. */
function thresholds(rows: readonly SparseRow[], width: number): number[][] {
  const values: number[][] = Array.from({ length: width }, () => []);
  for (const r of rows) r.cols.forEach((c, i) => values[c]?.push(r.vals[i] as number));
  return values.map((vs) => {
    const distinct = [...new Set(vs)].sort((p, q) => p - q);
    if (distinct.length <= 1) return distinct[0] === 1 || distinct.length === 0 ? [0.5] : [distinct[0] as number];
    const out = new Set<number>();
    for (let k = 1; k < MAX_BINS; k++) out.add(distinct[Math.floor((k * (distinct.length - 1)) / MAX_BINS)] as number);
    return [...out].sort((p, q) => p - q);
  });
}

/** Index of the first threshold >= v (v <= t[k] ⇔ bin <= k). */
function binOf(t: readonly number[], v: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Boosts `num_boost_round` trees; `onRound(round, trees)` sees the model after each (for validation curves). */
export function fitGbt(
  rows: readonly SparseRow[],
  y: readonly number[],
  width: number,
  p: GbtParams,
  onRound?: (round: number, model: TreesState) => void,
): TreesState {
  const t = thresholds(rows, width);
  const bins = rows.map((r) => r.cols.map((c, i) => binOf(t[c] as number[], r.vals[i] as number)));
  const zeroBin = t.map((ts) => binOf(ts, 0));
  const base = y.reduce((s, v) => s + v, 0) / y.length;
  const pred = new Float64Array(y.length).fill(base);
  const model: TreesState = { kind: 'trees', base, trees: [] };
  const valueOf = (n: number, f: number): number => {
    const i = rows[n]?.cols.indexOf(f) ?? -1;
    return i < 0 ? 0 : (rows[n]?.vals[i] as number);
  };

  for (let round = 0; round < p.num_boost_round; round++) {
    const g = Float64Array.from(y, (v, n) => (pred[n] as number) - v); // squared error: g = ŷ − y, h = 1
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const grow = (members: number[], depth: number): number => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      let G = 0;
      for (const n of members) G += g[n] as number;
      const H = members.length;
      tree.value.push((-G / (H + p.reg_lambda)) * p.learning_rate);
      if (depth >= p.max_depth || H < 2 * p.min_child_weight) return id;
      // Histograms from the non-zeros; each feature's zero bin gets the rest of the node.
      const hg = t.map((ts) => new Float64Array(ts.length + 1));
      const hh = t.map((ts) => new Float64Array(ts.length + 1));
      for (const n of members) {
        const r = rows[n] as SparseRow;
        r.cols.forEach((c, i) => {
          const b = bins[n]?.[i] as number;
          const cg = hg[c] as Float64Array;
          const ch = hh[c] as Float64Array;
          cg[b] = (cg[b] as number) + (g[n] as number);
          ch[b] = (ch[b] as number) + 1;
        });
      }
      const parentScore = (G * G) / (H + p.reg_lambda);
      let best = { gain: 1e-9, f: -1, k: -1 };
      for (let f = 0; f < width; f++) {
        const fg = hg[f] as Float64Array;
        const fh = hh[f] as Float64Array;
        let sg = 0;
        let sh = 0;
        for (const v of fg) sg += v;
        for (const v of fh) sh += v;
        const z = zeroBin[f] as number;
        fg[z] = (fg[z] as number) + (G - sg);
        fh[z] = (fh[z] as number) + (H - sh);
        let gl = 0;
        let hl = 0;
        for (let k = 0; k < fg.length - 1; k++) {
          gl += fg[k] as number;
          hl += fh[k] as number;
          const hr = H - hl;
          if (hl < p.min_child_weight || hr < p.min_child_weight) continue;
          const gr = G - gl;
          const gain = (gl * gl) / (hl + p.reg_lambda) + (gr * gr) / (hr + p.reg_lambda) - parentScore;
          if (gain > best.gain) best = { gain, f, k };
        }
      }
      if (best.f < 0) return id;
      const threshold = (t[best.f] as number[])[best.k] as number;
      const left: number[] = [];
      const right: number[] = [];
      for (const n of members) (valueOf(n, best.f) <= threshold ? left : right).push(n);
      tree.feature[id] = best.f;
      tree.threshold[id] = threshold;
      tree.left[id] = grow(left, depth + 1);
      tree.right[id] = grow(right, depth + 1);
      return id;
    };
    grow(rows.map((_, n) => n), 0);
    model.trees.push(tree);
    const one: TreesState = { kind: 'trees', base: 0, trees: [tree] };
    rows.forEach((r, n) => {
      const dense = new Float64Array(width);
      r.cols.forEach((c, i) => (dense[c] = r.vals[i] as number));
      pred[n] = (pred[n] as number) + predictTrees(one, dense);
    });
    onRound?.(round, model);
  }
  return model;
}

/** Dense rows for prediction (the saved model sees what the preprocessor outputs). */
export function densify(rows: readonly SparseRow[], width: number): Float64Array[] {
  return rows.map((r) => {
    const dense = new Float64Array(width);
    r.cols.forEach((c, i) => (dense[c] = r.vals[i] as number));
    return dense;
  });
}

export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  let s = 0;
  predicted.forEach((p, i) => (s += (p - (actual[i] as number)) ** 2));
  return Math.sqrt(s / predicted.length);
}
